import dns2 from 'dns2';
import { isIP, type AddressInfo } from 'node:net';

/**
 * A DNS server on 127.0.0.1 for tests, so the worker (NOTIFY_DNS_SERVER) can
 * be given names whose answers a test chooses — several addresses, a public
 * one beside a private one — without any query leaving the machine. Each name
 * answers A with its IPv4 and AAAA with its IPv6 addresses; any other name
 * is NXDOMAIN. It forwards nothing.
 */
export interface TestDns {
  /** host:port, as NOTIFY_DNS_SERVER takes it. */
  server: string;
  /** Every name asked, lower case, in order. */
  asked: string[];
  close(): Promise<void>;
}

export async function startDns(zone: Record<string, string[]>): Promise<TestDns> {
  const asked: string[] = [];
  const server = dns2.createUDPServer((request, send) => {
    const response = dns2.Packet.createResponseFromRequest(request);
    for (const question of request.questions) {
      const { name, type } = question;
      const addresses = zone[name.toLowerCase()];
      asked.push(name.toLowerCase());
      if (!addresses) response.header.rcode = dns2.Packet.RCODE.NXDOMAIN;
      const family = type === dns2.Packet.TYPE.A ? 4 : type === dns2.Packet.TYPE.AAAA ? 6 : 0;
      for (const address of (addresses ?? []).filter((a) => isIP(a) === family)) {
        response.answers.push(dns2.Packet.createResourceFromQuestion(question, { ttl: 1, address }));
      }
    }
    void send(response);
  });
  await server.listen(0, '127.0.0.1');
  return {
    server: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    asked,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

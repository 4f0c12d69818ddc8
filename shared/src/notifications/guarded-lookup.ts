import { type LookupAddress, promises as dns } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { ValidationError } from '../errors';
import { addressRefusal } from './addresses';

export interface LookupSettings {
  /** Loopback and private networks are refused unless allowed (a local stack, tests). */
  NOTIFY_ALLOW_PRIVATE: boolean;
  /** A DNS server (ip or ip:port) asked instead of the system resolver, e.g. a filtering one. */
  NOTIFY_DNS_SERVER?: string;
  NOTIFY_TIMEOUT_MS: number;
}

type Resolve = (hostname: string, family: 0 | 4 | 6) => Promise<LookupAddress[]>;

/** The system's resolver (getaddrinfo: /etc/hosts, then DNS), every answer in its order. */
const systemResolve: Resolve = (hostname, family) => dns.lookup(hostname, { all: true, family, order: 'verbatim' });

/** A c-ares resolver per configured server, made once: the A and AAAA answers of that server alone. */
const serverResolvers = new Map<string, Resolve>();
function serverResolve(server: string, timeoutMs: number): Resolve {
  let resolve = serverResolvers.get(server);
  if (!resolve) {
    const resolver = new dns.Resolver({ timeout: Math.max(1, Math.floor(timeoutMs / 2)), tries: 2 });
    resolver.setServers([server]);
    resolve = async (hostname, family) => {
      const asked = await Promise.allSettled([
        family === 6 ? Promise.resolve([]) : resolver.resolve4(hostname).then((a) => a.map((address) => ({ address, family: 4 }))),
        family === 4 ? Promise.resolve([]) : resolver.resolve6(hostname).then((a) => a.map((address) => ({ address, family: 6 }))),
      ]);
      const found = asked.flatMap((r) => (r.status === 'fulfilled' ? r.value : []));
      const failed = asked.find((r) => r.status === 'rejected');
      if (!found.length && failed) throw failed.reason;
      return found;
    };
    serverResolvers.set(server, resolve);
  }
  return resolve;
}

function familyOf(family: number | string | undefined): 0 | 4 | 6 {
  return family === 4 || family === 'IPv4' ? 4 : family === 6 || family === 'IPv6' ? 6 : 0;
}

/**
 * The `lookup` of a notifyUrl request. Every address the name resolves to is
 * checked, and one that is not public refuses the whole name (no call is
 * made). The addresses handed back are exactly those checked, and the socket
 * connects only to them, so there is no second resolution a DNS-rebinding
 * answer could slip into. Honours `options.all`, which Node's http asks for
 * when it tries several addresses (autoSelectFamily, happy eyeballs).
 */
export function guardedLookup(settings: LookupSettings): LookupFunction {
  const resolve = settings.NOTIFY_DNS_SERVER ? serverResolve(settings.NOTIFY_DNS_SERVER, settings.NOTIFY_TIMEOUT_MS) : systemResolve;
  return (hostname, options, callback) => {
    const answered = (addresses: LookupAddress[]) => {
      if (!addresses.length) return callback(Object.assign(new Error(`notifyUrl's host ${hostname} has no address`), { code: 'ENOTFOUND' }), '', 0);
      for (const { address } of settings.NOTIFY_ALLOW_PRIVATE ? [] : addresses) {
        const refusal = addressRefusal(address);
        if (refusal)
          return callback(new ValidationError(`notifyUrl's host ${hostname} resolves to ${address} (${refusal}), which the worker may not call`), '', 0);
      }
      if (options.all) callback(null, addresses);
      else callback(null, addresses[0].address, addresses[0].family);
    };
    resolve(hostname, familyOf(options.family)).then(answered, (err: NodeJS.ErrnoException) => callback(err, '', 0));
  };
}

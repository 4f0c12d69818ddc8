import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { addressRefusal } from '@botport/shared';
import { call, createBotWith, newTenant, startApi, startWorker, token, type TestApi, type TestWorker } from '../support/harness';
import { demoBot } from '../support/fixtures';
import { startDns, type TestDns } from '../support/dns-server';
import { until } from '../support/processes';

/**
 * notifyUrl must not reach the service's own network (SSRF). With
 * NOTIFY_ALLOW_PRIVATE off, a literal private address is refused at create
 * (problem+json 400); the same URL in a job made while it was allowed is
 * refused by the worker at delivery; a name is refused after DNS when any of
 * its addresses is private. A refused delivery connects nowhere, is recorded,
 * and is not retried. Names come from a DNS server on 127.0.0.1
 * (NOTIFY_DNS_SERVER), so nothing leaves the machine.
 */
const SECRET = 'notify-secret-for-tests-0123456789abcdef';
const BASE = { NOTIFY_SIGNING_SECRET: SECRET, JOB_BACKOFF_MS: '50', NOTIFY_TIMEOUT_MS: '3000' };

/** Every loopback form reaches a server listening on [::]: 127.x, ::1, ::ffff:127.0.0.1 and 0.0.0.0 alike. */
interface Receiver {
  port: number;
  calls: number;
  close(): Promise<void>;
}
async function receiver(host: string): Promise<Receiver> {
  const server = http.createServer((_req, res) => {
    r.calls++;
    res.writeHead(200).end();
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const r: Receiver = {
    port: (server.address() as AddressInfo).port,
    calls: 0,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  return r;
}

/** Test names and what the DNS server answers for each (A for the IPv4, AAAA for the IPv6 addresses). */
const ZONE: Record<string, string[]> = {
  'loopback.botport.test': ['127.0.0.1'],
  'loopback6.botport.test': ['::1'],
  'mapped.botport.test': ['::ffff:7f00:1'],
  'unspecified.botport.test': ['0.0.0.0'],
  'metadata.botport.test': ['169.254.169.254'],
  'private.botport.test': ['10.0.0.7'],
  'nat64.botport.test': ['64:ff9b::7f00:1'],
  'compatible.botport.test': ['::7f00:1'],
  // A public address first and a private one after: only checking every answer refuses it.
  'mixed.botport.test': ['93.184.215.14', '127.0.0.1'],
  // Several addresses, the first with nobody listening: the connection falls through to the next checked one.
  'several.botport.test': ['127.0.0.2', '127.0.0.1', '::1'],
};

let dns: TestDns;
let strictApi: TestApi;
let strictWorker: TestWorker;
let lenientApi: TestApi;
let lenient: { api: TestApi; worker: TestWorker };
let hook: Receiver;

beforeAll(async () => {
  dns = await startDns(ZONE);
  hook = await receiver('::');
  const strict = { ...BASE, NOTIFY_ALLOW_PRIVATE: 'false', NOTIFY_DNS_SERVER: dns.server };
  strictApi = await startApi(strict);
  strictWorker = await startWorker(strict);
  // Makes jobs with private URLs (as before NOTIFY_ALLOW_PRIVATE was turned off) on the strict worker's queues.
  lenientApi = await startApi({ ...strict, NOTIFY_ALLOW_PRIVATE: 'true' });
  // An api and worker of their own queues that may call this machine.
  const own = { ...BASE, NOTIFY_ALLOW_PRIVATE: 'true', NOTIFY_DNS_SERVER: dns.server, QUEUE_PREFIX: `${process.env.QUEUE_PREFIX}-lenient` };
  lenient = { api: await startApi(own), worker: await startWorker(own) };
});

afterAll(async () => {
  await Promise.all([strictWorker?.close(), lenient?.worker?.close()]);
  await Promise.all([strictApi?.close(), lenientApi?.close(), lenient?.api?.close()]);
  await Promise.all([hook?.close(), dns?.close()]);
});

/** An export of a fresh bot (an identical export of one bot would wait for the last) with this notifyUrl, through `api`; its id. */
let bots = 0;
async function exportWith(api: TestApi, bearer: string, notifyUrl: string): Promise<string> {
  const doc = demoBot();
  const botId = await createBotWith(api, bearer, { ...doc, bot: { ...doc.bot, name: `${doc.bot.name} ${++bots}` } });
  const res = await call(api, 'POST', '/v1/exports', { token: bearer, body: { botId, notifyUrl } });
  if (res.status !== 202) throw new Error(`create export with ${notifyUrl}: ${res.status} ${res.text}`);
  return res.body.exportId;
}

async function attemptsOf(api: TestApi, bearer: string, exportId: string, n = 1): Promise<any[]> {
  return until(
    `export ${exportId} has ${n} delivery attempts`,
    async () => (await call(api, 'GET', `/v1/exports/${exportId}/deliveries`, { token: bearer })).body.deliveries as any[],
    (d) => d?.length >= n,
    20000,
  );
}

/** A retry would come within JOB_BACKOFF_MS (50 ms): a second is ample to see none does. */
const settle = () => new Promise((r) => setTimeout(r, 1000));

/** Each refused delivery: one attempt, refused, final, naming why; nothing reached the receiver. */
async function expectRefused(api: TestApi, bearer: string, cases: { exportId: string; url: string; why: RegExp }[]): Promise<void> {
  for (const c of cases) await attemptsOf(api, bearer, c.exportId);
  await settle();
  for (const c of cases) {
    const attempts = await attemptsOf(api, bearer, c.exportId);
    expect([c.url, attempts]).toEqual([
      c.url,
      [expect.objectContaining({ attempt: 1, outcome: 'refused', statusCode: null, nextRetryAt: null, error: expect.stringMatching(c.why) })],
    ]);
  }
  expect(hook.calls).toBe(0);
}

describe('notifyUrl refuses private addresses (NOTIFY_ALLOW_PRIVATE=false)', () => {
  const url = (host: string, path = '/hook') => `http://${host}:${hook.port}${path}`;

  /** Every literal form of a private, loopback or IPv4-carrying address, as typed (the URL parser normalises some). */
  const literals = () => [
    { url: url('localhost'), why: /localhost \(loopback\)/ },
    { url: url('LocalHost.'), why: /\(loopback\)/ },
    { url: url('[::1]'), why: /\[::1\] \(loopback\)/ },
    { url: url('[::ffff:127.0.0.1]'), why: /\[::ffff:7f00:1\] \(IPv4-mapped loopback\)/ },
    { url: url('0.0.0.0'), why: /0\.0\.0\.0 \(unspecified\)/ },
    { url: url('2130706433'), why: /127\.0\.0\.1 \(loopback\)/ },
    { url: url('0x7f.1'), why: /127\.0\.0\.1 \(loopback\)/ },
    { url: 'http://169.254.169.254/latest/meta-data/', why: /169\.254\.169\.254 \(link-local\)/ },
    { url: url('[::127.0.0.1]'), why: /\[::7f00:1\] \(IPv4-compatible\)/ },
    { url: url('[::ffff:0:7f00:1]'), why: /\[::ffff:0:7f00:1\] \(IPv4-translated\)/ },
    { url: url('[64:ff9b::7f00:1]'), why: /\[64:ff9b::7f00:1\] \(NAT64 loopback\)/ },
    { url: 'http://[64:ff9b::a9fe:a9fe]/latest/meta-data/', why: /NAT64 link-local/ },
    { url: 'http://[64:ff9b:1::a00:1]/hook', why: /\(NAT64\)/ },
    { url: 'http://[2002:7f00:1::1]/hook', why: /\(6to4\)/ },
    { url: 'http://[2001::1]/hook', why: /\(Teredo\)/ },
    { url: 'http://10.1.2.3/hook', why: /\(private\)/ },
    { url: 'http://100.64.0.1/hook', why: /\(carrier-grade NAT\)/ },
    { url: 'http://198.18.0.1/hook', why: /\(reserved or documentation\)/ },
    { url: 'http://[fd00::1]/hook', why: /\(unique-local\)/ },
    { url: 'http://[fe80::1]/hook', why: /\(link-local\)/ },
  ];

  test('a literal private address is a 400 (problem+json) at create, on exports and imports, and nothing is created', async () => {
    const bearer = token(newTenant());
    const botId = await createBotWith(strictApi, bearer, demoBot());
    for (const { url: notifyUrl, why } of literals()) {
      const res = await call(strictApi, 'POST', '/v1/exports', { token: bearer, body: { botId, notifyUrl } });
      expect([notifyUrl, res.status, res.headers.get('content-type')]).toEqual([notifyUrl, 400, expect.stringContaining('application/problem+json')]);
      expect(res.body.detail).toMatch(why);
      const imported = await fetch(`${strictApi.url}/v1/imports?notifyUrl=${encodeURIComponent(notifyUrl)}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/zip' },
        body: Buffer.from('not a zip'),
      });
      expect([notifyUrl, imported.status, imported.headers.get('content-type')]).toEqual([notifyUrl, 400, expect.stringContaining('application/problem+json')]);
      expect(((await imported.json()) as { detail: string }).detail).toMatch(why);
    }
    expect((await call(strictApi, 'GET', '/v1/exports', { token: bearer })).body.exports).toEqual([]);
    expect((await call(strictApi, 'GET', '/v1/imports', { token: bearer })).body.imports).toEqual([]);
  });

  test('the same literals in jobs made while private addresses were allowed are refused by the worker, connect nowhere, and are not retried', async () => {
    const bearer = token(newTenant());
    const cases = [];
    for (const c of literals()) cases.push({ ...c, exportId: await exportWith(lenientApi, bearer, c.url) });
    await expectRefused(strictApi, bearer, cases);
  });

  test('a name is refused after DNS when it resolves to any private form, even beside a public address; the worker asked the configured server and connected nowhere', async () => {
    const bearer = token(newTenant());
    const names: [string, RegExp][] = [
      ['loopback.botport.test', /resolves to 127\.0\.0\.1 \(loopback\)/],
      ['loopback6.botport.test', /resolves to ::1 \(loopback\)/],
      ['mapped.botport.test', /resolves to ::ffff:127\.0\.0\.1 \(IPv4-mapped loopback\)/],
      ['unspecified.botport.test', /resolves to 0\.0\.0\.0 \(unspecified\)/],
      ['metadata.botport.test', /resolves to 169\.254\.169\.254 \(link-local\)/],
      ['private.botport.test', /resolves to 10\.0\.0\.7 \(private\)/],
      ['nat64.botport.test', /resolves to 64:ff9b::7f00:1 \(NAT64 loopback\)/],
      ['compatible.botport.test', /resolves to ::(7f00:1|127\.0\.0\.1) \(IPv4-compatible\)/], // c-ares writes it either way
      ['mixed.botport.test', /resolves to 127\.0\.0\.1 \(loopback\)/],
    ];
    const cases = [];
    for (const [name, why] of names) cases.push({ url: url(name), why, exportId: await exportWith(strictApi, bearer, url(name)) });
    await expectRefused(strictApi, bearer, cases);
    for (const [name] of names) expect([name, dns.asked.includes(name)]).toEqual([name, true]);
  });
});

describe('notifyUrl reaches names (NOTIFY_ALLOW_PRIVATE=true)', () => {
  test('a name with several addresses is delivered to one it checked, falling through one that does not answer', async () => {
    const only4 = await receiver('127.0.0.1');
    try {
      const bearer = token(newTenant());
      const exportId = await exportWith(lenient.api, bearer, `http://several.botport.test:${only4.port}/hook`);
      const [attempt] = await attemptsOf(lenient.api, bearer, exportId);
      expect(attempt).toMatchObject({ attempt: 1, outcome: 'delivered', statusCode: 200, error: null, nextRetryAt: null });
      expect(only4.calls).toBe(1);
    } finally {
      await only4.close();
    }
  });
});

test('addresses are judged by what they reach: public unicast passes, IPv4 inside IPv6 is judged as IPv4 or refused', () => {
  const expected: Record<string, string> = {
    '8.8.8.8': 'public',
    '2606:4700::1111': 'public',
    '::ffff:808:808': 'public',
    '64:ff9b::808:808': 'public',
    '127.0.0.1': 'loopback',
    '::ffff:a00:1': 'IPv4-mapped private',
    '64:ff9b::a00:1': 'NAT64 private',
    '2002:808:808::1': '6to4',
    '::808:808': 'IPv4-compatible',
    '::127.0.0.1': 'IPv4-compatible', // not IPv4-mapped, as ipaddr.js alone would read it
    '192.0.2.1': 'reserved or documentation',
    'ff02::1': 'multicast',
    '255.255.255.255': 'broadcast',
    'not-an-ip': 'not an IP address',
  };
  expect(Object.fromEntries(Object.keys(expected).map((a) => [a, addressRefusal(a) ?? 'public']))).toEqual(expected);
});

import { type ChildProcess, fork, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { SignatureV4 } from '@smithy/signature-v4';
import { createPool, ExportRecords, loadConfig, mintToken, newId, NodeSha256 } from '@botport/shared';
import { percentile, ROOT, sleep, withWorker } from './harness';
import { createSyntheticBot } from './synthetic-bot';

/**
 * Status reads under load, every process apart: the real api (`api/dist/main.js`),
 * a bare Express answering the same bodies, and autocannon (bench/load.ts)
 * each in its own process, so the load generator never shares an event loop
 * with what it measures. Targets: Lex DescribeExport with a bearer JWT and
 * with AWS SigV4, native GET /v1/exports/{id} — each against bare Express
 * serving the very body it answered (two shapes). Then server-sent events:
 * 1,000 subscribers on one api, the api's memory per subscriber, and how
 * long after a progress write each subscriber hears of it.
 *
 * autocannon cannot sign each request, so one SigV4-signed request is
 * replayed: AWS accepts a signature for 15 minutes either side of its
 * X-Amz-Date, and botport verifies it in full on every request.
 */
export interface Load {
  rps: number;
  p50ms: number;
  p99ms: number;
  /** CPU time the serving process spent per request, µs: steadier than requests/s on a shared machine. */
  cpuUsPerRequest?: number;
}

export interface PollingResult {
  connections: number;
  seconds: number;
  lex: Load;
  lexSigV4: Load;
  bareLex: Load;
  native: Load;
  bareNative: Load;
  lexToBare: number;
  nativeToBare: number;
  sigV4ToBearer: number;
  /** Log lines the api wrote at info or above while under load. */
  infoLinesUnderLoad: number;
  sse: { subscribers: number; kbPerSubscriber: number; events: number; missed: number; p50ms: number; p99ms: number; maxMs: number };
}

const DIST = path.join(ROOT, 'bench/dist');

/** A node process whose first JSON line on stdout (matching `ready`) says it is up; later lines are counted. */
async function start(file: string, env: Record<string, string>, ready: (line: Record<string, unknown>) => boolean) {
  const child = spawn(process.execPath, [...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []), file], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  let counted = 0;
  const first = await new Promise<Record<string, unknown>>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${file} exited with ${code}`)));
    lines.on('line', (line) => {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      if (ready(parsed)) resolve(parsed);
      else counted++;
    });
  });
  return { child, first, linesSince: () => counted, stop: () => stop(child) };
}

async function stop(child: ChildProcess) {
  child.kill('SIGTERM');
  if (child.exitCode === null) await new Promise((r) => child.once('exit', r));
}

/** CPU time (user + system) a process has used, in µs. */
function cpuMicros(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS;
}
const CLOCK_TICKS = 100; // Linux's USER_HZ

/** `seconds` of load at `url`; with `server`, also the CPU time that process spent per request. */
async function load(url: string, headers: Record<string, string>, connections: number, seconds: number, server?: number): Promise<Load> {
  const before = server && cpuMicros(server);
  const child = spawn(process.execPath, [path.join(DIST, 'load.js'), url, String(connections), String(seconds), JSON.stringify(headers)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise((r) => child.once('exit', r));
  const r = JSON.parse(out) as Load & { non2xx: number; errors: number };
  if (r.non2xx || r.errors) throw new Error(`load against ${url}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  const cpuUsPerRequest = server ? Math.round((cpuMicros(server) - (before as number)) / (r.rps * seconds)) : undefined;
  return { rps: r.rps, p50ms: r.p50ms, p99ms: r.p99ms, cpuUsPerRequest };
}

/** The headers of one GET signed as the AWS SDK signs it (service lex). */
async function sigV4Headers(url: string, accessKeyId: string, secretAccessKey: string): Promise<Record<string, string>> {
  const u = new URL(url);
  const signer = new SignatureV4({ credentials: { accessKeyId, secretAccessKey }, region: 'us-east-1', service: 'lex', sha256: NodeSha256 });
  const signed = await signer.sign({
    method: 'GET',
    protocol: u.protocol,
    hostname: u.hostname,
    port: Number(u.port),
    path: u.pathname,
    query: {},
    headers: { host: u.host },
  });
  const { host: _host, ...headers } = signed.headers; // autocannon sends the same Host itself
  return headers;
}

const rssKB = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);

export async function statusPolling(seconds = 10, connections = 50, subscribers = 1000): Promise<PollingResult> {
  const config = loadConfig();
  const db = createPool(config.DATABASE_URL, 2);
  const tenant = `bench-${newId()}`;
  const bearer = mintToken(config.JWT_SECRET as string, { sub: 'bench', tenant });
  const api = await start(path.join(ROOT, 'api/dist/main.js'), { PORT: '0', LOG_LEVEL: 'info' }, (l) => l.msg === 'api listening');
  const url = `http://127.0.0.1:${api.first.port as number}`;
  let bare: Awaited<ReturnType<typeof start>> | undefined;
  try {
    const botId = await createSyntheticBot(db, tenant, 'Polled', 50, 1000);
    const auth = { authorization: `Bearer ${bearer}` };
    const created = await fetch(`${url}/v1/exports`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ botId }),
    });
    const { exportId } = (await created.json()) as { exportId: string };
    const lexPath = `/exports/${exportId}/`;
    const nativePath = `/v1/exports/${exportId}`;
    await withWorker(async () => {
      while (((await (await fetch(`${url}${lexPath}`, { headers: auth })).json()) as { exportStatus: string }).exportStatus === 'InProgress') await sleep(50);
    });
    const body = async (p: string) => (await fetch(`${url}${p}`, { headers: auth })).json() as Promise<unknown>;
    bare = await start(
      path.join(DIST, 'bare-server.js'),
      { BARE_ROUTES: JSON.stringify({ [lexPath]: await body(lexPath), [nativePath]: await body(nativePath) }) },
      (l) => 'port' in l,
    );
    const bareUrl = `http://127.0.0.1:${bare.first.port as number}`;
    const key = (await (
      await fetch(`${url}/v1/credentials`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'bench', scopes: ['exports:read'] }),
      })
    ).json()) as { credentialId: string; secret: string };
    const signed = await sigV4Headers(`${url}${lexPath}`, key.credentialId, key.secret);

    process.stderr.write(`[bench] status polling: ${connections} connections, ${seconds} s each, load generator in its own process…\n`);
    for (const [u, h] of [
      [`${url}${lexPath}`, auth],
      [`${url}${nativePath}`, auth],
      [`${bareUrl}${lexPath}`, {}],
    ] as const)
      await load(u, h, connections, 2); // warm-up
    const linesBefore = api.linesSince();
    const bareLex = await load(`${bareUrl}${lexPath}`, {}, connections, seconds, bare.child.pid!);
    const lex = await load(`${url}${lexPath}`, auth, connections, seconds, api.child.pid!);
    const bareNative = await load(`${bareUrl}${nativePath}`, {}, connections, seconds, bare.child.pid!);
    const native = await load(`${url}${nativePath}`, auth, connections, seconds, api.child.pid!);
    const lexSigV4 = await load(`${url}${lexPath}`, signed, connections, seconds, api.child.pid!);
    const infoLinesUnderLoad = api.linesSince() - linesBefore;

    const sse = await eventsAtScale(db, url, bearer, tenant, botId, api.child.pid!, subscribers);
    return {
      connections,
      seconds,
      lex,
      lexSigV4,
      bareLex,
      native,
      bareNative,
      lexToBare: +(lex.rps / bareLex.rps).toFixed(2),
      nativeToBare: +(native.rps / bareNative.rps).toFixed(2),
      sigV4ToBearer: +(lexSigV4.rps / lex.rps).toFixed(2),
      infoLinesUnderLoad,
      sse,
    };
  } finally {
    await bare?.stop();
    await api.stop();
    await db.end();
  }
}

/**
 * `subscribers` SSE streams over 100 InProgress exports (as the worker leaves
 * them between progress writes); five rounds of progress written to each
 * export as the worker writes it, each subscriber's delay from the write's
 * start to its event.
 */
async function eventsAtScale(
  db: ReturnType<typeof createPool>,
  url: string,
  bearer: string,
  tenant: string,
  botId: string,
  apiPid: number,
  subscribers: number,
) {
  const records = new ExportRecords(db);
  const exports = 100;
  const ids: string[] = [];
  for (let i = 0; i < exports; i++) {
    const r = await records.insert(
      {
        exportId: newId(),
        tenantId: tenant,
        requestedBy: 'bench',
        surface: 'native',
        botId,
        botName: 'Polled',
        botVersion: 'DRAFT',
        localeId: null,
        fileFormat: 'BotportJson',
        options: {},
        hasPassword: false,
        sealedPassword: null,
        notifyUrl: null,
      },
      `bench-sse-${i}-${newId()}`,
    );
    ids.push(r.exportId);
  }
  const each = Math.ceil(subscribers / exports);
  await sleep(500);
  const before = rssKB(apiPid);
  const clients = fork(path.join(DIST, 'sse-clients.js'));
  const reply = (key: string) =>
    new Promise<Record<string, unknown>>((resolve) => clients.on('message', (m: Record<string, unknown>) => (key in m || 'error' in m) && resolve(m)));
  clients.send({ start: { url, bearer, paths: ids.map((id) => `/v1/exports/${id}/events`), each } });
  const ready = await reply('ready');
  if (ready.error) throw new Error(`SSE subscribers: ${String(ready.error)}`);
  await sleep(500);
  const kbPerSubscriber = +((rssKB(apiPid) - before) / (each * exports)).toFixed(1);

  const written = new Map<string, number>();
  for (let round = 1; round <= 5; round++) {
    for (const id of ids) {
      written.set(`${id}/${round * 10}`, performance.timeOrigin + performance.now());
      await records.setProgress(id, round * 10);
    }
    await sleep(300);
  }
  clients.send({ report: true });
  const { received } = (await reply('received')) as { received: { path: string; progress: number; at: number }[] };
  const delays = received
    .filter((e) => e.progress > 0)
    .map((e) => e.at - (written.get(`${e.path.split('/')[3]}/${e.progress}`) ?? e.at))
    .sort((a, b) => a - b);
  const expected = each * exports * 5;
  return {
    subscribers: each * exports,
    kbPerSubscriber,
    events: delays.length,
    missed: expected - delays.length,
    p50ms: +percentile(delays, 50).toFixed(1),
    p99ms: +percentile(delays, 99).toFixed(1),
    maxMs: +(delays[delays.length - 1] ?? 0).toFixed(1),
  };
}

import autocannon from 'autocannon';
import express from 'express';
import type { AddressInfo } from 'node:net';
import { poll, startBenchApi, withWorker } from './harness';
import { createSyntheticBot } from './synthetic-bot';

/**
 * Status polling: DescribeExport of a Completed export (JWT verified, the
 * record read, a download URL signed — on every request) under autocannon,
 * against a bare Express route answering a constant JSON on the same
 * machine in the same run.
 */
export interface PollingResult {
  connections: number;
  seconds: number;
  describe: { rps: number; p50ms: number; p99ms: number };
  bare: { rps: number; p50ms: number; p99ms: number };
  rpsRatio: number;
}

async function load(url: string, headers: Record<string, string>, connections: number, seconds: number) {
  const r = await autocannon({ url, headers, connections, duration: seconds });
  if (r.non2xx || r.errors) throw new Error(`load against ${url}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  return { rps: Math.round(r.requests.average), p50ms: r.latency.p50, p99ms: r.latency.p99 };
}

export async function statusPolling(seconds = 10, connections = 50): Promise<PollingResult> {
  const api = await startBenchApi();
  const bare = express();
  bare.get('/status', (_req, res) => res.json({ exportId: 'AAAAAAAAAA', exportStatus: 'Completed' }));
  const bareServer = bare.listen(0, '127.0.0.1');
  await new Promise((r) => bareServer.once('listening', r));
  try {
    const botId = await createSyntheticBot(api.ctx.db, api.tenant, 'Polled', 50, 1000);
    const auth = { authorization: `Bearer ${api.bearer}`, 'content-type': 'application/json' };
    const created = await fetch(`${api.url}/v1/exports`, { method: 'POST', headers: auth, body: JSON.stringify({ botId }) });
    const { exportId } = (await created.json()) as { exportId: string };
    await withWorker(() => poll(`${api.url}/exports/${exportId}/`, api.bearer, 'exportStatus'));
    process.stderr.write(`[bench] status polling: ${connections} connections, ${seconds} s each…\n`);
    const describe = await load(`${api.url}/exports/${exportId}/`, { authorization: auth.authorization }, connections, seconds);
    const baseline = await load(`http://127.0.0.1:${(bareServer.address() as AddressInfo).port}/status`, {}, connections, seconds);
    return { connections, seconds, describe, bare: baseline, rpsRatio: +(describe.rps / baseline.rps).toFixed(2) };
  } finally {
    bareServer.close();
    await api.close();
  }
}

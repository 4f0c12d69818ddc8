import autocannon from 'autocannon';
import express from 'express';
import type { AddressInfo } from 'node:net';
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from '@botport/shared';
import { poll, startBenchApi, withWorker } from './harness';
import { createSyntheticBot } from './synthetic-bot';

/**
 * Status polling: DescribeExport of a Completed export (JWT verified, the
 * record read, a download URL signed — on every request) under autocannon,
 * against a bare Express route answering a constant JSON on the same
 * machine in the same run; and the same DescribeExport signed with AWS
 * SigV4 by an API credential, as the AWS CLI and SDKs send it.
 *
 * autocannon cannot sign each request, so one signed request is replayed:
 * AWS accepts a signature for 15 minutes either side of its X-Amz-Date, and
 * botport verifies it in full on every request (the credential from the
 * per-process cache, the canonical request rebuilt and signed again), so the
 * replay costs the server exactly what fresh signatures would.
 */
export interface PollingResult {
  connections: number;
  seconds: number;
  describe: { rps: number; p50ms: number; p99ms: number };
  describeSigV4: { rps: number; p50ms: number; p99ms: number };
  bare: { rps: number; p50ms: number; p99ms: number };
  rpsRatio: number;
  /** SigV4 requests/s ÷ bearer JWT requests/s. */
  sigV4ToBearer: number;
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
    const describeUrl = `${api.url}/exports/${exportId}/`;
    const describe = await load(describeUrl, { authorization: auth.authorization }, connections, seconds);
    const key = await api.ctx.credentials.create(api.tenant, { name: 'bench', scopes: ['exports:read'] }, 'bench');
    const describeSigV4 = await load(describeUrl, await sigV4Headers(describeUrl, key.credentialId, key.secret), connections, seconds);
    const baseline = await load(`http://127.0.0.1:${(bareServer.address() as AddressInfo).port}/status`, {}, connections, seconds);
    return {
      connections,
      seconds,
      describe,
      describeSigV4,
      bare: baseline,
      rpsRatio: +(describe.rps / baseline.rps).toFixed(2),
      sigV4ToBearer: +(describeSigV4.rps / describe.rps).toFixed(2),
    };
  } finally {
    bareServer.close();
    await api.close();
  }
}

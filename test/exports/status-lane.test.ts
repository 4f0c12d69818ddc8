import { get } from 'node:http';
import { call, createBotWith, newTenant, token, useApiAndWorker } from '../support/harness';
import { demoBot } from '../support/fixtures';
import { download, exportNative, importNative } from '../support/native';
import { createCredential, signedCall } from '../support/credentials';

/**
 * The status lane answers the status reads before Express. What it answers
 * must be what Express answers, byte for byte (a conditional header the lane
 * leaves to Express is how a test reaches Express), and whatever it cannot
 * answer — a refused token, a missing scope, an unknown id — Express answers
 * in the surface's own shape.
 */
const stack = useApiAndWorker();
const tenant = newTenant();
const bearer = token(tenant);
let reads: { name: string; path: string }[];

beforeAll(async () => {
  const botId = await createBotWith(stack.api, bearer, demoBot('LanePizzería'));
  const exported = await exportNative(stack.api, bearer, { botId, fileFormat: 'LexJson' });
  const kore = await call(stack.api, 'POST', `/api/public/bot/${botId}/export`, { token: bearer, body: { exportType: 'latest' } });
  expect(kore.status).toBe(200);
  const imported = await importNative(stack.api, bearer, await download(exported.downloadUrl), { botName: 'LaneCopié' });
  expect(imported.status).toBe('Completed');
  reads = [
    { name: 'Lex DescribeExport', path: `/exports/${exported.exportId}/` },
    { name: 'Lex DescribeImport', path: `/imports/${imported.importId}/` },
    { name: 'native export', path: `/v1/exports/${exported.exportId}` },
    { name: 'native import', path: `/v1/imports/${imported.importId}` },
    { name: "Kore's export status", path: `/api/public/bot/${botId}/export/status` },
    { name: "Kore's import status", path: `/api/public/bot/import/status/bir-${imported.importId}` },
  ];
});

/** The lane's answer and Express's to the same read, in the same second (a download URL is signed per second). */
async function bothWays(path: string) {
  for (;;) {
    const second = Math.floor(Date.now() / 1000);
    const lane = await call(stack.api, 'GET', path, { token: bearer });
    const express = await call(stack.api, 'GET', path, { token: bearer, headers: { 'if-none-match': '"no such tag"' } });
    if (Math.floor(Date.now() / 1000) === second) return { lane, express };
  }
}

const kept = (h: Headers) => Object.fromEntries([...h].filter(([k]) => !['date', 'x-request-id'].includes(k)));

/** A series' value in the api's /metrics. */
async function metric(line: (l: string) => boolean): Promise<number> {
  const text = (await call(stack.api, 'GET', '/metrics', { token: token(tenant, { scopes: ['operator'] }) })).text;
  return Number(text.split('\n').find(line)?.split(' ').pop() ?? 0);
}
const laneAnswered = () => metric((l) => l.startsWith('botport_status_lane_reads_total{') && l.includes('outcome="answered"'));

test('each status read answers as Express does: the same body, headers and ETag', async () => {
  const before = await laneAnswered();
  const bodies: string[] = [];
  for (const { name, path } of reads) {
    const { lane, express } = await bothWays(path);
    bodies.push(lane.text);
    expect({ name, status: lane.status, text: lane.text }).toEqual({ name, status: 200, text: express.text });
    expect(kept(lane.headers)).toEqual(kept(express.headers));
    expect(lane.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(lane.headers.get('x-request-id')).not.toBe(express.headers.get('x-request-id'));
  }
  expect(await laneAnswered()).toBeGreaterThanOrEqual(before + reads.length); // the lane answered, not Express twice
  expect(bodies.join('')).toContain('LaneCopié'); // lengths and ETags of bytes, not characters
});

test('DescribeExport signed with AWS SigV4, as the AWS SDK polls, is answered by the lane as Express answers it', async () => {
  const aws = (await createCredential(stack.api, bearer, { scopes: ['exports:read'] })).signIn.aws;
  const before = await laneAnswered();
  let pair;
  do {
    const second = Math.floor(Date.now() / 1000);
    const lane = await signedCall(stack.api, aws, 'GET', reads[0].path);
    const express = await signedCall(stack.api, aws, 'GET', reads[0].path, undefined, { headers: { 'if-none-match': '"no such tag"' } });
    pair = Math.floor(Date.now() / 1000) === second ? { lane, express } : undefined;
  } while (!pair);
  expect(pair.lane.status).toBe(200);
  expect(pair.lane.body).toEqual(pair.express.body);
  expect(kept(pair.lane.headers)).toEqual(kept(pair.express.headers));
  expect(await laneAnswered()).toBeGreaterThan(before);

  const forged = await signedCall(stack.api, { ...aws, secretAccessKey: `${aws.secretAccessKey}x` }, 'GET', reads[0].path);
  expect(forged.status).toBe(403);
  expect(forged.headers.get('x-amzn-errortype')).toBe('InvalidSignatureException');
});

test('a poller keeps its request id, and revalidates with the ETag the lane gave', async () => {
  const path = reads[2].path;
  const first = await call(stack.api, 'GET', path, { token: bearer, headers: { 'x-request-id': 'poll-42' } });
  expect(first.headers.get('x-request-id')).toBe('poll-42');
  const answered = await call(stack.api, 'GET', reads[1].path, { token: bearer });
  // Through node:http: fetch adds Cache-Control: no-cache to a conditional request, which forbids a 304.
  const status = await new Promise((resolve, reject) =>
    get(`${stack.api.url}${reads[1].path}`, { headers: { authorization: `Bearer ${bearer}`, 'if-none-match': answered.headers.get('etag')! } }, (res) =>
      resolve(res.resume().statusCode),
    ).on('error', reject),
  );
  expect(status).toBe(304);
});

test("what the lane cannot answer, Express answers in the surface's shape", async () => {
  const lex = reads[0].path;
  const refused = await call(stack.api, 'GET', lex, { token: `${bearer}x` });
  expect(refused.status).toBe(403); // as AWS answers an unauthenticated call
  expect(refused.headers.get('x-amzn-errortype')).toBe('AccessDeniedException');
  const nativeRefused = await call(stack.api, 'GET', reads[2].path, { token: `${bearer}x` });
  expect(nativeRefused.status).toBe(401);
  expect(nativeRefused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const readless = token(tenant, { scopes: ['bots:read'] });
  const outOfScope = await call(stack.api, 'GET', lex, { token: readless });
  expect(outOfScope.status).toBe(403);
  expect(outOfScope.headers.get('x-amzn-errortype')).toBe('AccessDeniedException');

  const missing = await call(stack.api, 'GET', '/exports/NoSuchExp1/', { token: bearer });
  expect(missing.status).toBe(404);
  expect(missing.headers.get('x-amzn-errortype')).toBe('ResourceNotFoundException');
  const nativeMissing = await call(stack.api, 'GET', '/v1/exports/NoSuchExp1', { token: bearer });
  expect(nativeMissing.status).toBe(404);
  expect(nativeMissing.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const koreMissing = await call(stack.api, 'GET', '/api/public/bot/import/status/NoSuchImp1', { token: bearer });
  expect(koreMissing.status).toBe(404);

  // Another tenant's job is not found, through the lane as through Express.
  const other = await call(stack.api, 'GET', lex, { token: token(newTenant()) });
  expect(other.status).toBe(404);
});

test('reads through the lane are counted under their route in /metrics', async () => {
  const count = () => metric((l) => l.startsWith('botport_http_request_duration_seconds_count{') && l.includes('route="/v1/imports/:importId"'));
  const before = await count();
  for (let i = 0; i < 3; i++) expect((await call(stack.api, 'GET', reads[3].path, { token: bearer })).status).toBe(200);
  expect(await count()).toBe(before + 3);
});

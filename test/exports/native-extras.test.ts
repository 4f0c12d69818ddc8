import { call, createBotWith, newTenant, token, useApiAndWorker } from '../support/harness';
import { demoBot } from '../support/fixtures';
import { botportFiles, withManifest, zipOf } from '../support/archives';

const stack = useApiAndWorker();

/** Reads a server-sent event stream to its end: the events in order. */
async function events(path: string, bearer: string): Promise<{ event: string; data: any }[]> {
  const res = await fetch(stack.api.url + path, { headers: { authorization: `Bearer ${bearer}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const text = await res.text();
  return text
    .split('\n\n')
    .filter((block) => block.startsWith('event: '))
    .map((block) => {
      const [eventLine, dataLine] = block.split('\n');
      return { event: eventLine.slice('event: '.length), data: JSON.parse(dataLine.slice('data: '.length)) };
    });
}

describe('native job extras', () => {
  test('Idempotency-Key: same key and body → the same export; same key, other body → 409', async () => {
    const bearer = token(newTenant());
    const botId = await createBotWith(stack.api, bearer, demoBot());
    const headers = { 'Idempotency-Key': 'order-4711' };
    const first = await call(stack.api, 'POST', '/v1/exports', { token: bearer, body: { botId }, headers });
    expect(first.status).toBe(202);
    const again = await call(stack.api, 'POST', '/v1/exports', { token: bearer, body: { botId }, headers });
    expect(again.status).toBe(202);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.exportId).toBe(first.body.exportId);
    const other = await call(stack.api, 'POST', '/v1/exports', { token: bearer, body: { botId, localeId: 'en_US' }, headers });
    expect(other.status).toBe(409);
    expect(other.body.detail).toMatch(/different request body/);
    // Keys belong to a tenant: another tenant's same key is a new request.
    const stranger = token(newTenant());
    const theirs = await createBotWith(stack.api, stranger, demoBot());
    const separate = await call(stack.api, 'POST', '/v1/exports', { token: stranger, body: { botId: theirs }, headers });
    expect(separate.status).toBe(202);
    expect(separate.body.exportId).not.toBe(first.body.exportId);
    // A request that fails creates nothing, so its key can be used again.
    const failed = await call(stack.api, 'POST', '/v1/exports', { token: bearer, body: { botId: 'AAAAAAAAAA' }, headers: { 'Idempotency-Key': 'k2' } });
    expect(failed.status).toBe(404);
    expect(
      (await call(stack.api, 'POST', '/v1/exports', { token: bearer, body: { botId, localeId: 'de_DE' }, headers: { 'Idempotency-Key': 'k2' } })).status,
    ).toBe(202);
  });

  test('notifyUrl is refused, naming the setting, on a server without NOTIFY_SIGNING_SECRET', async () => {
    const bearer = token(newTenant());
    const botId = await createBotWith(stack.api, bearer, demoBot());
    const res = await call(stack.api, 'POST', '/v1/exports', { token: bearer, body: { botId, notifyUrl: 'https://example.com/hook' } });
    expect(res.status).toBe(400);
    expect(res.body.detail).toBe('notifyUrl is not available: this server has no NOTIFY_SIGNING_SECRET');
  });

  test('Idempotency-Key on a native import: the same archive and target give the same import', async () => {
    const bearer = token(newTenant());
    const archive = zipOf(withManifest(botportFiles(demoBot('Once'))));
    const post = () =>
      fetch(`${stack.api.url}/v1/imports?botName=Once`, {
        method: 'POST',
        headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/zip', 'Idempotency-Key': 'import-1' },
        body: archive,
      });
    const [a, b] = [await post(), await post()];
    expect([a.status, b.status]).toEqual([202, 202]);
    expect(((await b.json()) as { importId: string }).importId).toBe(((await a.json()) as { importId: string }).importId);
  });

  test('GET /v1/exports/{id}/events streams progress, then completed with a download URL', async () => {
    const bearer = token(newTenant());
    const botId = await createBotWith(stack.api, bearer, demoBot());
    await stack.worker.pause();
    const created = await call(stack.api, 'POST', '/v1/exports', { token: bearer, body: { botId } });
    const stream = events(`/v1/exports/${created.body.exportId}/events`, bearer);
    await new Promise((r) => setTimeout(r, 300));
    stack.worker.resume();
    const got = await stream;
    expect(got[0]).toEqual({ event: 'progress', data: { exportId: created.body.exportId, status: 'InProgress', progress: 0 } });
    const last = got[got.length - 1];
    expect(last.event).toBe('completed');
    expect(last.data).toMatchObject({
      exportId: created.body.exportId,
      status: 'Completed',
      progress: 100,
      downloadUrl: expect.stringMatching(/X-Amz-Expires=300/),
    });
    expect((await call(stack.api, 'GET', `/v1/exports/${created.body.exportId}/events`, { token: token(newTenant()) })).status).toBe(404);
  });
});

import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { call, createBotWith, newTenant, token, useApiAndWorker } from '../support/harness';
import { demoBot } from '../support/fixtures';
import { until } from '../support/processes';

/**
 * notifyUrl: one signed POST when a job ends, retried until the receiver
 * answers 2xx, with the same delivery id each time; every attempt visible to
 * the job's owner at /deliveries. Private addresses are allowed here (the
 * receivers are on this machine); test/exports/notify-addresses.test.ts
 * refuses them.
 */
const SECRET = 'notify-secret-for-tests-0123456789abcdef';
const stack = useApiAndWorker({ NOTIFY_SIGNING_SECRET: SECRET, NOTIFY_ALLOW_PRIVATE: 'true', JOB_BACKOFF_MS: '50' });

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
  answered: number;
}

/** A receiver that answers each call with the next status of `answers` (then `otherwise`), with `headers`. */
async function receiver(
  answers: number[] = [],
  options: { otherwise?: number; headers?: Record<string, string> } = {},
): Promise<{ url: string; calls: Received[]; close(): Promise<void> }> {
  const calls: Received[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const answered = answers.shift() ?? options.otherwise ?? 200;
      calls.push({ headers: req.headers, body, answered });
      res.writeHead(answered, options.headers).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/botport`,
    calls,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/** What a receiver does: recompute the HMAC over "t.body". */
function verified(call: Received): boolean {
  const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(call.headers['botport-signature'])) ?? [];
  return !!t && createHmac('sha256', SECRET).update(`${t}.${call.body}`).digest('hex') === v1 && Math.abs(Date.now() / 1000 - Number(t)) < 300;
}

const settle = () => new Promise((r) => setTimeout(r, 1000));

/** A job's delivery attempts as its owner reads them, once there are at least `n`. */
async function deliveries(bearer: string, job: string, n: number): Promise<any[]> {
  return until(
    `${job} has ${n} delivery attempts`,
    async () => (await call(stack.api, 'GET', `/v1/${job}/deliveries`, { token: bearer })).body.deliveries as any[],
    (d) => d?.length >= n,
    20000,
  );
}

describe('notifyUrl', () => {
  test('an export that completes is announced once, signed, with where to find it', async () => {
    const hook = await receiver();
    try {
      const bearer = token(newTenant());
      const botId = await createBotWith(stack.api, bearer, demoBot());
      const created = await call(stack.api, 'POST', '/v1/exports', { token: bearer, body: { botId, notifyUrl: hook.url } });
      expect(created.status).toBe(202);
      expect(created.body.notifyUrl).toBe(hook.url);
      await until(
        'the notification arrives',
        async () => hook.calls.length,
        (n) => n >= 1,
        20000,
      );
      await settle();
      expect(hook.calls).toHaveLength(1);
      const [delivery] = hook.calls;
      expect(verified(delivery)).toBe(true);
      expect(delivery.headers['botport-event']).toBe('export.completed');
      const event = JSON.parse(delivery.body);
      expect(event).toMatchObject({
        event: 'export.completed',
        deliveryId: delivery.headers['botport-delivery'],
        data: { exportId: created.body.exportId, status: 'Completed', botId },
      });
      expect(event.data.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(event.data.href).toMatch(new RegExp(`/v1/exports/${created.body.exportId}$`));
      expect(await deliveries(bearer, `exports/${created.body.exportId}`, 1)).toEqual([
        {
          deliveryId: delivery.headers['botport-delivery'],
          attempt: 1,
          attemptedAt: expect.any(String),
          outcome: 'delivered',
          statusCode: 200,
          error: null,
          nextRetryAt: null,
        },
      ]);
    } finally {
      await hook.close();
    }
  });

  test('a receiver that fails is retried with the same delivery id until it answers 2xx, then left alone', async () => {
    const hook = await receiver([500, 503]);
    try {
      const bearer = token(newTenant());
      const botId = await createBotWith(stack.api, bearer, demoBot());
      const { exportId } = (await call(stack.api, 'POST', '/v1/exports', { token: bearer, body: { botId, notifyUrl: hook.url } })).body;
      await until(
        'the third attempt',
        async () => hook.calls.length,
        (n) => n >= 3,
        20000,
      );
      await settle();
      expect(hook.calls.map((c) => c.answered)).toEqual([500, 503, 200]);
      expect(new Set(hook.calls.map((c) => c.headers['botport-delivery'])).size).toBe(1);
      expect(hook.calls.every(verified)).toBe(true);
      // The owner sees each attempt: what the receiver answered and when the next one was due.
      const attempts = await deliveries(bearer, `exports/${exportId}`, 3);
      expect(attempts.map((a) => [a.attempt, a.outcome, a.statusCode, a.error])).toEqual([
        [1, 'failed', 500, 'the receiver answered 500'],
        [2, 'failed', 503, 'the receiver answered 503'],
        [3, 'delivered', 200, null],
      ]);
      expect(new Set(attempts.map((a) => a.deliveryId))).toEqual(new Set([hook.calls[0].headers['botport-delivery']]));
      for (const [failed, next] of [attempts.slice(0, 2), attempts.slice(1, 3)]) {
        expect(Date.parse(failed.nextRetryAt)).toBeGreaterThan(Date.parse(failed.attemptedAt));
        expect(Date.parse(next.attemptedAt)).toBeGreaterThanOrEqual(Date.parse(failed.nextRetryAt) - 50); // the queue kept to it
      }
      expect(attempts[2].nextRetryAt).toBeNull();
    } finally {
      await hook.close();
    }
  });

  test('a named host is resolved and called: localhost, through the system resolver', async () => {
    const hook = await receiver();
    try {
      const bearer = token(newTenant());
      const botId = await createBotWith(stack.api, bearer, demoBot());
      const notifyUrl = hook.url.replace('127.0.0.1', 'localhost');
      const { exportId } = (await call(stack.api, 'POST', '/v1/exports', { token: bearer, body: { botId, notifyUrl } })).body;
      const [attempt] = await deliveries(bearer, `exports/${exportId}`, 1);
      expect(attempt).toMatchObject({ outcome: 'delivered', statusCode: 200 });
      expect(hook.calls).toHaveLength(1);
      expect(verified(hook.calls[0])).toBe(true);
    } finally {
      await hook.close();
    }
  });

  test('a redirect is never followed: the 302 is a failed attempt and its target hears nothing', async () => {
    const target = await receiver();
    const hook = await receiver([], { otherwise: 302, headers: { location: target.url } });
    try {
      const bearer = token(newTenant());
      const botId = await createBotWith(stack.api, bearer, demoBot());
      const { exportId } = (await call(stack.api, 'POST', '/v1/exports', { token: bearer, body: { botId, notifyUrl: hook.url } })).body;
      const first = await deliveries(bearer, `exports/${exportId}`, 2);
      expect(first.slice(0, 2).map((a) => [a.outcome, a.statusCode, a.error])).toEqual([
        ['failed', 302, 'the receiver answered 302; redirects are not followed'],
        ['failed', 302, 'the receiver answered 302; redirects are not followed'],
      ]);
      expect(hook.calls.length).toBeGreaterThanOrEqual(2);
      expect(target.calls).toHaveLength(0);
    } finally {
      await hook.close();
      await target.close();
    }
  });

  test("a job's deliveries are its owner's alone: another tenant, a token for another bot, a token without the read scope", async () => {
    const hook = await receiver();
    try {
      const owner = newTenant();
      const bearer = token(owner);
      const botId = await createBotWith(stack.api, bearer, demoBot());
      const { exportId } = (await call(stack.api, 'POST', '/v1/exports', { token: bearer, body: { botId, notifyUrl: hook.url } })).body;
      const imported = await fetch(`${stack.api.url}/v1/imports?notifyUrl=${encodeURIComponent(hook.url)}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/zip' },
        body: Buffer.from('not a zip'),
      });
      const { importId } = (await imported.json()) as { importId: string };
      await deliveries(bearer, `exports/${exportId}`, 1);
      await deliveries(bearer, `imports/${importId}`, 1);
      const probes: [string, string, number][] = [
        [token(newTenant()), `/v1/exports/${exportId}/deliveries`, 404],
        [token(newTenant()), `/v1/imports/${importId}/deliveries`, 404],
        [token(owner, { bot: 'B0THER0000' }), `/v1/exports/${exportId}/deliveries`, 404],
        [token(owner, { scopes: ['imports:read'] }), `/v1/exports/${exportId}/deliveries`, 403],
        [token(owner, { scopes: ['exports:read'] }), `/v1/imports/${importId}/deliveries`, 403],
        [bearer, `/v1/exports/NOSUCHJOB0/deliveries`, 404],
      ];
      for (const [probe, path, status] of probes) {
        const res = await call(stack.api, 'GET', path, { token: probe });
        expect([path, res.status, res.headers.get('content-type')]).toEqual([path, status, expect.stringContaining('application/problem+json')]);
        expect(res.text).not.toContain(hook.url);
      }
    } finally {
      await hook.close();
    }
  });

  test('attempts go with their job: deleted, or swept after seven days', async () => {
    const hook = await receiver();
    try {
      const bearer = token(newTenant());
      const botId = await createBotWith(stack.api, bearer, demoBot());
      const create = async (localeId?: string) =>
        (await call(stack.api, 'POST', '/v1/exports', { token: bearer, body: { botId, localeId, notifyUrl: hook.url } })).body.exportId as string;
      const [deleted, swept] = [await create(), await create('en_US')];
      await deliveries(bearer, `exports/${deleted}`, 1);
      await deliveries(bearer, `exports/${swept}`, 1);
      const left = async (exportId: string) =>
        (await stack.api.ctx.db.query<{ n: number }>('SELECT count(*)::int AS n FROM notification_attempts WHERE export_id = $1', [exportId])).rows[0].n;
      expect(await left(deleted)).toBe(1);

      expect((await call(stack.api, 'DELETE', `/v1/exports/${deleted}`, { token: bearer })).status).toBe(202);
      await until(
        'the deleted export is gone',
        () => left(deleted),
        (n) => n === 0,
        20000,
      );

      await stack.api.ctx.db.query(`UPDATE export_jobs SET expires_at = now() - interval '1 minute' WHERE export_id = $1`, [swept]);
      const job = await stack.api.ctx.queues.maintenance.add('sweep-expired', {});
      await until(
        'the sweep ran',
        () => job.isCompleted(),
        (done) => done,
        20000,
      );
      expect(await left(swept)).toBe(0);
    } finally {
      await hook.close();
    }
  });

  test('a failed import is announced as import.failed with its reasons', async () => {
    const hook = await receiver();
    try {
      const bearer = token(newTenant());
      const res = await fetch(`${stack.api.url}/v1/imports?notifyUrl=${encodeURIComponent(hook.url)}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/zip' },
        body: Buffer.from('not a zip'),
      });
      expect(res.status).toBe(202);
      await until(
        'the notification arrives',
        async () => hook.calls.length,
        (n) => n >= 1,
        20000,
      );
      const event = JSON.parse(hook.calls[0].body);
      expect(event).toMatchObject({ event: 'import.failed', data: { status: 'Failed' } });
      expect(event.data.failureReasons[0]).toMatch(/not a readable zip archive/);
      const [attempt] = await deliveries(bearer, `imports/${event.data.importId}`, 1);
      expect(attempt).toMatchObject({ deliveryId: hook.calls[0].headers['botport-delivery'], outcome: 'delivered', statusCode: 200, nextRetryAt: null });
    } finally {
      await hook.close();
    }
  });

  test('a notifyUrl that is not http(s), or carries credentials, is refused and nothing is created', async () => {
    const bearer = token(newTenant());
    const botId = await createBotWith(stack.api, bearer, demoBot());
    for (const notifyUrl of ['ftp://example.com/x', 'not a url', 'https://user:pw@example.com/hook']) {
      const res = await call(stack.api, 'POST', '/v1/exports', { token: bearer, body: { botId, notifyUrl } });
      expect([notifyUrl, res.status]).toEqual([notifyUrl, 400]);
      expect(res.body.detail).toMatch(/notifyUrl/);
    }
    expect((await call(stack.api, 'GET', '/v1/exports', { token: bearer })).body.exports).toEqual([]);
  });
});

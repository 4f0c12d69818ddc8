import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { deliver, isPrivateAddress } from '@botport/shared';
import { call, createBotWith, newTenant, token, useApiAndWorker } from '../support/harness';
import { demoBot } from '../support/fixtures';
import { until } from '../support/processes';

/**
 * notifyUrl: one signed POST when a job ends, retried until the receiver
 * answers 2xx, with the same delivery id each time.
 */
const SECRET = 'notify-secret-for-tests-0123456789abcdef';
const stack = useApiAndWorker({ NOTIFY_SIGNING_SECRET: SECRET, NOTIFY_ALLOW_PRIVATE: 'true', JOB_BACKOFF_MS: '50' });

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
  answered: number;
}

/** A receiver that answers each call with the next status of `answers` (then 200). */
async function receiver(answers: number[] = []): Promise<{ url: string; calls: Received[]; close(): Promise<void> }> {
  const calls: Received[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const answered = answers.shift() ?? 200;
      calls.push({ headers: req.headers, body, answered });
      res.writeHead(answered).end();
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
    } finally {
      await hook.close();
    }
  });

  test('a receiver that fails is retried with the same delivery id until it answers 2xx, then left alone', async () => {
    const hook = await receiver([500, 503]);
    try {
      const bearer = token(newTenant());
      const botId = await createBotWith(stack.api, bearer, demoBot());
      await call(stack.api, 'POST', '/v1/exports', { token: bearer, body: { botId, notifyUrl: hook.url } });
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

  test('delivery checks the address the connection really uses, and follows no redirect', async () => {
    const hook = await receiver([302]);
    try {
      const settings = { NOTIFY_SIGNING_SECRET: SECRET, NOTIFY_ALLOW_PRIVATE: false, NOTIFY_TIMEOUT_MS: 2000 };
      // "localhost" is a name, so only the resolved address can tell it is loopback.
      const byName = hook.url.replace('127.0.0.1', 'localhost');
      await expect(deliver(byName, 'export.completed', 'd-1', {}, settings)).rejects.toThrow(/resolves to a private address/);
      expect(hook.calls).toHaveLength(0);
      await expect(deliver(hook.url, 'export.completed', 'd-2', {}, { ...settings, NOTIFY_ALLOW_PRIVATE: true })).rejects.toThrow('the receiver answered 302');
      expect(hook.calls).toHaveLength(1);
      expect(await deliver(hook.url, 'export.completed', 'd-3', {}, { ...settings, NOTIFY_ALLOW_PRIVATE: true })).toBe(200);
    } finally {
      await hook.close();
    }
  });

  test('private and loopback addresses are recognised (refused unless NOTIFY_ALLOW_PRIVATE)', () => {
    for (const ip of ['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.169.254', '::1', 'fd00::1', '::ffff:127.0.0.1', '0.0.0.0'])
      expect([ip, isPrivateAddress(ip)]).toEqual([ip, true]);
    for (const ip of ['93.184.216.34', '8.8.8.8', '2606:4700::1111']) expect([ip, isPrivateAddress(ip)]).toEqual([ip, false]);
  });
});

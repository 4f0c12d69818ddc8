import { createHmac } from 'node:crypto';
import { lookup as dnsLookup } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { ValidationError } from '../errors';

/**
 * notifyUrl: an integration asks to be told, once, when its export or import
 * ends. The worker POSTs a JSON event signed like a Stripe webhook
 * (`Botport-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`),
 * retried with backoff until the receiver answers 2xx.
 */
export interface NotifySettings {
  /** Shared with integrators so they can check the signature; notifications are off without it. */
  NOTIFY_SIGNING_SECRET?: string;
  /** Loopback and private networks are refused unless allowed (a local stack, tests). */
  NOTIFY_ALLOW_PRIVATE: boolean;
  NOTIFY_TIMEOUT_MS: number;
}

export type NotifyEvent = 'export.completed' | 'export.failed' | 'import.completed' | 'import.failed';

const MAX_URL_LENGTH = 2048;

/** Addresses a server-side request must not reach: the service's own network. */
const PRIVATE = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  PRIVATE.addSubnet(net, prefix, 'ipv6');

export function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return PRIVATE.check(mapped[1], 'ipv4');
  return PRIVATE.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
}

/** Refuses a notifyUrl the worker could not or must not call; checked again, after DNS, at delivery. */
export function checkNotifyUrl(value: string | undefined, settings: NotifySettings): void {
  if (value === undefined) return;
  if (!settings.NOTIFY_SIGNING_SECRET) throw new ValidationError('notifyUrl is not available: this server has no NOTIFY_SIGNING_SECRET');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ValidationError(`notifyUrl '${value.slice(0, 100)}' is not a URL`);
  }
  if (value.length > MAX_URL_LENGTH) throw new ValidationError(`notifyUrl may be at most ${MAX_URL_LENGTH} characters`);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ValidationError('notifyUrl must be an http or https URL');
  if (url.username || url.password) throw new ValidationError('notifyUrl must not carry credentials; check the signature instead');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!settings.NOTIFY_ALLOW_PRIVATE && isIP(host) && isPrivateAddress(host))
    throw new ValidationError('notifyUrl must not point at a private or loopback address');
}

export function signature(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * Resolves like the system does, but refuses a private answer: the check is
 * on the address the connection really uses, so a name that resolves
 * elsewhere on a second lookup (DNS rebinding) cannot slip through.
 */
function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) =>
    dnsLookup(hostname, { ...options, all: false }, (err, address, family) => {
      if (!err && !allowPrivate && isPrivateAddress(address)) {
        return callback(new ValidationError(`notifyUrl resolves to a private address (${address}); not called`), address, family);
      }
      callback(err, address, family);
    });
}

/** One attempt; throws on anything but a 2xx so the queue retries it. Redirects are not followed: they could lead anywhere. */
export function deliver(url: string, event: NotifyEvent, deliveryId: string, data: object, settings: NotifySettings): Promise<number> {
  const target = new URL(url);
  const body = JSON.stringify({ event, deliveryId, occurredAt: new Date().toISOString(), data });
  const send = target.protocol === 'https:' ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const req = send(
      target,
      {
        method: 'POST',
        lookup: guardedLookup(settings.NOTIFY_ALLOW_PRIVATE),
        timeout: settings.NOTIFY_TIMEOUT_MS,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'user-agent': 'botport-notify/1',
          'botport-event': event,
          'botport-delivery': deliveryId,
          'botport-signature': signature(settings.NOTIFY_SIGNING_SECRET as string, Math.floor(Date.now() / 1000), body),
        },
      },
      (res) => {
        res.resume(); // the answer's body is not read
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) resolve(status);
        else reject(new Error(`the receiver answered ${status}`));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`the receiver did not answer within ${settings.NOTIFY_TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

import { createHmac, randomUUID } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
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
for (const [net, prefix] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4]] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8]] as const) PRIVATE.addSubnet(net, prefix, 'ipv6');

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
  if (!settings.NOTIFY_ALLOW_PRIVATE && isIP(host) && isPrivateAddress(host)) throw new ValidationError('notifyUrl must not point at a private or loopback address');
}

export function signature(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** One attempt; throws on anything but a 2xx so the queue retries it. */
export async function deliver(url: string, event: NotifyEvent, deliveryId: string, data: object, settings: NotifySettings): Promise<number> {
  const target = new URL(url);
  if (!settings.NOTIFY_ALLOW_PRIVATE) {
    const { address } = await lookup(target.hostname.replace(/^\[|\]$/g, ''));
    if (isPrivateAddress(address)) throw new ValidationError(`notifyUrl resolves to a private address (${address}); not called`);
  }
  const body = JSON.stringify({ event, deliveryId, occurredAt: new Date().toISOString(), data });
  const res = await fetch(target, {
    method: 'POST',
    redirect: 'manual', // a redirect could lead anywhere, including the private network
    signal: AbortSignal.timeout(settings.NOTIFY_TIMEOUT_MS),
    headers: {
      'content-type': 'application/json',
      'user-agent': 'botport-notify/1',
      'botport-event': event,
      'botport-delivery': deliveryId,
      'botport-signature': signature(settings.NOTIFY_SIGNING_SECRET as string, Math.floor(Date.now() / 1000), body),
    },
    body,
  });
  await res.body?.cancel();
  if (res.status < 200 || res.status >= 300) throw new Error(`the receiver answered ${res.status}`);
  return res.status;
}

export const newDeliveryId = (): string => randomUUID();

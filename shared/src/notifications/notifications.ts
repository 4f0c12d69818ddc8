import { createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { ValidationError } from '../errors';
import { addressRefusal } from './addresses';
import { guardedLookup, type LookupSettings } from './guarded-lookup';

/**
 * notifyUrl: an integration asks to be told, once, when its export or import
 * ends. The worker POSTs a JSON event signed like a Stripe webhook
 * (`Botport-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`),
 * retried with backoff until the receiver answers 2xx.
 */
export interface NotifySettings extends LookupSettings {
  /** Shared with integrators so they can check the signature; notifications are off without it. */
  NOTIFY_SIGNING_SECRET?: string;
}

export type NotifyEvent = 'export.completed' | 'export.failed' | 'import.completed' | 'import.failed' | 'backup.failed';

const MAX_URL_LENGTH = 2048;

/** Why a URL's host may not be called before any DNS: an IP literal that is not public, or a localhost name (RFC 6761: always loopback). */
function hostRefusal(hostname: string): string | undefined {
  const host = hostname
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
    .toLowerCase();
  if (isIP(host)) return addressRefusal(host);
  if (host === 'localhost' || host.endsWith('.localhost')) return 'loopback';
  return undefined;
}

/**
 * Refuses a notifyUrl the worker could not or must not call. Checked at
 * create and again at delivery (a job may have been created under other
 * settings); a name's addresses are checked at delivery, after DNS.
 * `new URL` has normalised the host by then: `2130706433` is 127.0.0.1,
 * `[::127.0.0.1]` is [::7f00:1].
 */
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
  const refusal = settings.NOTIFY_ALLOW_PRIVATE ? undefined : hostRefusal(url.hostname);
  if (refusal) throw new ValidationError(`notifyUrl points at ${url.hostname} (${refusal}), which the worker may not call`);
}

export function signature(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** What one attempt came to: delivered (2xx), failed (retried), or refused before any connection (never retried). */
export type DeliveryResult =
  { outcome: 'delivered'; statusCode: number } | { outcome: 'failed'; statusCode: number | null; error: string } | { outcome: 'refused'; error: string };

/** A socket error's words; happy eyeballs fails with an AggregateError whose message may be empty. */
function reasonOf(err: Error & { code?: string; errors?: Error[] }): string {
  return err.message || err.errors?.map((e) => e.message).join('; ') || err.code || 'the connection failed';
}

/**
 * One attempt. The URL is checked again, then the request connects only to
 * addresses the guarded lookup has checked. Redirects are not followed: they
 * could lead anywhere, so a 3xx is a failure like any other non-2xx.
 */
export async function deliver(url: string, event: NotifyEvent, deliveryId: string, data: object, settings: NotifySettings): Promise<DeliveryResult> {
  try {
    checkNotifyUrl(url, settings);
  } catch (err) {
    if (err instanceof ValidationError) return { outcome: 'refused', error: err.message };
    throw err;
  }
  const body = JSON.stringify({ event, deliveryId, occurredAt: new Date().toISOString(), data });
  const target = new URL(url);
  const send = target.protocol === 'https:' ? https.request : http.request;
  return new Promise((resolve) => {
    const req = send(
      target,
      {
        method: 'POST',
        agent: false, // a connection of its own, so each attempt resolves and checks its addresses anew
        lookup: guardedLookup(settings),
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
        const statusCode = res.statusCode ?? 0;
        if (statusCode >= 200 && statusCode < 300) return resolve({ outcome: 'delivered', statusCode });
        const redirect = statusCode >= 300 && statusCode < 400 ? '; redirects are not followed' : '';
        resolve({ outcome: 'failed', statusCode, error: `the receiver answered ${statusCode}${redirect}` });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`the receiver did not answer within ${settings.NOTIFY_TIMEOUT_MS} ms`)));
    req.on('error', (err) =>
      resolve(err instanceof ValidationError ? { outcome: 'refused', error: err.message } : { outcome: 'failed', statusCode: null, error: reasonOf(err) }),
    );
    req.end(body);
  });
}

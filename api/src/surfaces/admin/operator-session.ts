import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { OPERATOR_SCOPE, type Principal } from '@botport/shared';

/** The dashboard's cookie: HttpOnly, SameSite=Strict, path /admin/board. */
export const SESSION_COOKIE = 'botport_operator';
/** A session never outlives the token that opened it, nor an hour. */
export const SESSION_MAX_SECONDS = 3600;

const VALUE = /^v1\.(\d{1,12})\.([A-Za-z0-9_-]{1,700})\.([A-Za-z0-9_-]{43})$/;

/**
 * Dashboard sessions for the operator: a browser cannot send a bearer header,
 * so `POST /admin/session` hands out a cookie. Its value is not the JWT (that
 * would work as a bearer token anywhere) but `v1.<expiry>.<who>.<mac>`,
 * signed with the server's key: it opens the dashboard only, as the operator
 * only, and its expiry is checked here, whatever the browser keeps.
 */
export class OperatorSessions {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = createHash('sha256').update(`botport-operator-session\u0000${secret}`).digest();
  }

  /** A cookie value and its lifetime in seconds for an operator's principal. */
  issue(p: Principal, now = Date.now()): { value: string; seconds: number } {
    const seconds = Math.max(0, Math.min(SESSION_MAX_SECONDS, Math.floor((p.expiresAt.getTime() - now) / 1000)));
    const expiry = Math.floor(now / 1000) + seconds;
    const who = Buffer.from(JSON.stringify([p.subject, p.tenantId]), 'utf8').toString('base64url');
    return { value: `v1.${expiry}.${who}.${this.mac(expiry, who)}`, seconds };
  }

  /** The operator a cookie value stands for, or undefined when it is forged, altered or expired. */
  verify(value: string | undefined, now = Date.now()): Principal | undefined {
    const m = VALUE.exec(value ?? '');
    if (!m) return undefined;
    const [, expiry, who, mac] = m;
    const expected = Buffer.from(this.mac(Number(expiry), who));
    if (!timingSafeEqual(Buffer.from(mac), expected) || Number(expiry) * 1000 <= now) return undefined;
    const [subject, tenantId] = JSON.parse(Buffer.from(who, 'base64url').toString('utf8')) as [string, string];
    return { subject, tenantId, scopes: new Set([OPERATOR_SCOPE]), expiresAt: new Date(Number(expiry) * 1000) };
  }

  private mac(expiry: number, who: string): string {
    return createHmac('sha256', this.key).update(`${expiry}.${who}`).digest('base64url');
  }
}

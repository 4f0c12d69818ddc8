import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { ValidationError } from '../errors';

/**
 * Opaque, tamper-evident page tokens: the position is readable only to us in
 * the sense that matters — a token altered, or presented by another tenant or
 * with other filters, fails its MAC and is refused.
 */
export class PageTokens {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = createHash('sha256').update(`botport-page-token\u0000${secret}`).digest();
  }

  sign(position: unknown, scope: string): string {
    const body = Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
    return `${body}.${this.mac(body, scope)}`;
  }

  verify<T>(token: string, scope: string): T {
    const [body, mac] = token.split('.');
    if (!body || !mac) throw new ValidationError('nextToken is not valid');
    const expected = Buffer.from(this.mac(body, scope));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new ValidationError('nextToken is not valid for this request');
    }
    return JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as T;
  }

  private mac(body: string, scope: string): string {
    return createHmac('sha256', this.key).update(scope).update('\u0000').update(body).digest('base64url');
  }
}

/** JSON with sorted keys, so equal options always hash alike. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

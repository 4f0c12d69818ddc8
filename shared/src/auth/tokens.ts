import { createPublicKey, createSecretKey, hash, type KeyObject } from 'node:crypto';
import jwt, { type Algorithm, type JwtPayload } from 'jsonwebtoken';
import { NotFoundError, UnauthorizedError } from '../errors';
import { ID_PATTERN } from '../ids';

/** Development signing key. Printed by the local launcher; refused in production. */
export const DEV_JWT_SECRET = 'botport-development-secret-do-not-use-in-production';

/** A tenant's scopes; `admin` implies the others, for the token's own tenant only. */
export const SCOPES = ['bots:read', 'bots:write', 'exports:read', 'exports:write', 'imports:read', 'imports:write', 'backup', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

/**
 * The operator runs botport itself: the queue dashboard, pausing and
 * cleaning the shared queues, counts across tenants, /metrics. It is no
 * tenant's scope and no tenant scope implies it (nor does it imply any).
 */
export const OPERATOR_SCOPE = 'operator';
export const ALL_SCOPES = [...SCOPES, OPERATOR_SCOPE] as const;

export const isOperator = (p: Principal): boolean => p.scopes.has(OPERATOR_SCOPE);

/** Who is calling, taken from a verified token. */
export interface Principal {
  subject: string;
  tenantId: string;
  scopes: Set<string>;
  /** Set for bot tokens (Xenioo): the token acts on this one bot only. */
  botId?: string;
  expiresAt: Date;
  /** Set when the caller signed in with an API credential (SigV4, a Kore app JWT, a Xenioo token). */
  credentialId?: string;
}

export interface TokenSettings {
  JWT_SECRET?: string;
  JWT_PUBLIC_KEY?: string;
  /** The keys being rotated out: still accepted for verification, never used to sign. */
  JWT_PREVIOUS_SECRET?: string;
  JWT_PREVIOUS_PUBLIC_KEY?: string;
  JWT_ALGORITHMS: string[];
  JWT_ISSUER?: string;
  JWT_AUDIENCE?: string;
}

export const CLOCK_TOLERANCE_SECONDS = 30;
/** 9999-12-31: later expiries are not dates anyone means. */
const MAX_EXP = 253402300799;
/** Tenant and subject claims: printable, no control characters (NUL reaches no query). */
const CLAIM_TEXT = /^[^\u0000-\u001f\u007f]{1,256}$/;

/**
 * Keys as KeyObjects, made once per configured key: handed a string,
 * jsonwebtoken first tries (and fails) to parse it as a PEM public key on
 * every call, which costs more than the verification itself.
 */
const keyObjects = new Map<string, KeyObject>();
function keyObject(key: string, family: 'secret' | 'public'): KeyObject {
  const id = `${family}\u0000${key}`;
  let k = keyObjects.get(id);
  if (!k) keyObjects.set(id, (k = family === 'secret' ? createSecretKey(Buffer.from(key, 'utf8')) : createPublicKey(key)));
  return k;
}

const VERIFIED_TOKENS_KEPT = 10_000;

/**
 * verifyToken once per token: a poller presents the same JWT hundreds of
 * times a minute, and each verification (an HMAC or RSA check plus the claim
 * checks) costs more than the rest of a status read. A token is kept until
 * the moment verifyToken would refuse it as expired; botport's JWTs carry no
 * revocation (credentials do, and they are checked apart, see
 * CachedCredentials). Kept by the token's SHA-256, never the token itself;
 * refusals are not kept.
 */
export class TokenVerifier {
  private readonly verified = new Map<string, Principal>();

  constructor(
    private readonly settings: TokenSettings,
    private readonly now: () => number = Date.now,
  ) {}

  verify(token: string): Principal {
    const id = hash('sha256', token, 'base64');
    const hit = this.verified.get(id);
    if (hit && this.now() < hit.expiresAt.getTime() + CLOCK_TOLERANCE_SECONDS * 1000) return hit;
    this.verified.delete(id);
    const principal = verifyToken(token, this.settings);
    if (this.verified.size >= VERIFIED_TOKENS_KEPT) this.verified.delete(this.verified.keys().next().value as string);
    this.verified.set(id, principal);
    return principal;
  }
}

/**
 * Verifies a JWT against the pinned algorithms only. The key is chosen by the
 * algorithm family, so an HS token can never be checked with the public key
 * (algorithm confusion) and `none` is never in the list.
 */
export function verifyToken(token: string, settings: TokenSettings): Principal {
  let alg: string | undefined;
  try {
    alg = jwt.decode(token, { complete: true })?.header?.alg;
  } catch {
    alg = undefined; // a payload that is not JSON
  }
  if (!alg || !settings.JWT_ALGORITHMS.includes(alg)) throw new UnauthorizedError('the token is malformed or its algorithm is not accepted');
  const hmac = alg.startsWith('HS');
  // During a key rotation the previous key is tried too, so tokens signed before it keep working until they expire.
  const configured = (hmac ? [settings.JWT_SECRET, settings.JWT_PREVIOUS_SECRET] : [settings.JWT_PUBLIC_KEY, settings.JWT_PREVIOUS_PUBLIC_KEY]).filter(
    (k): k is string => !!k,
  );
  if (!configured.length) throw new UnauthorizedError('the token algorithm is not accepted');
  let payload: JwtPayload | undefined;
  let reason = 'the token is invalid';
  for (const key of configured) {
    try {
      payload = jwt.verify(token, keyObject(key, hmac ? 'secret' : 'public'), {
        algorithms: [alg as Algorithm],
        issuer: settings.JWT_ISSUER,
        audience: settings.JWT_AUDIENCE,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
      }) as JwtPayload;
      break;
    } catch (err) {
      if ((err as Error).name === 'TokenExpiredError') reason = 'the token has expired';
    }
  }
  if (!payload) throw new UnauthorizedError(reason);
  if (typeof payload.exp !== 'number') throw new UnauthorizedError('the token has no expiry (exp)');
  // A date JavaScript cannot hold (exp: 1e300) would poison every later use of it.
  if (!Number.isSafeInteger(payload.exp) || payload.exp > MAX_EXP) throw new UnauthorizedError('the token expiry (exp) is not a usable date');
  if (typeof payload.tenant !== 'string' || !payload.tenant) throw new UnauthorizedError('the token has no tenant claim');
  if (!CLAIM_TEXT.test(payload.tenant) || !payload.tenant.isWellFormed())
    throw new UnauthorizedError('the token tenant claim holds characters a tenant id cannot');
  if (typeof payload.sub === 'string' && (!CLAIM_TEXT.test(payload.sub) || !payload.sub.isWellFormed()))
    throw new UnauthorizedError('the token sub claim holds characters a subject cannot');
  if (payload.bot !== undefined && (typeof payload.bot !== 'string' || !ID_PATTERN.test(payload.bot)))
    throw new UnauthorizedError('the token bot claim must be a bot id');
  return {
    subject: typeof payload.sub === 'string' ? payload.sub : 'anonymous',
    tenantId: payload.tenant,
    scopes: new Set(typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : []),
    botId: payload.bot,
    expiresAt: new Date(payload.exp * 1000),
  };
}

/** Signs an HS256 token; for development, tests and the local launcher. */
export function mintToken(
  secret: string,
  claims: { sub: string; tenant: string; scope?: string; bot?: string },
  options: { expiresInSeconds?: number; issuer?: string; audience?: string } = {},
): string {
  const payload = Object.fromEntries(Object.entries({ scope: SCOPES.join(' '), ...claims }).filter(([, v]) => v !== undefined));
  return jwt.sign(payload, secret, {
    algorithm: 'HS256',
    expiresIn: options.expiresInSeconds ?? 12 * 3600,
    ...(options.issuer ? { issuer: options.issuer } : {}),
    ...(options.audience ? { audience: options.audience } : {}),
  });
}

/** A bot token reaches only its own bot; any other is answered as not found, never forbidden. */
export function assertBotAllowed(principal: Principal, botId: string): void {
  if (principal.botId && principal.botId !== botId) throw new NotFoundError(`bot ${botId} was not found`);
}

import jwt, { type JwtPayload } from 'jsonwebtoken';
import type { Principal } from '../auth/tokens';
import { UnauthorizedError } from '../errors';
import type { CredentialLookup } from './credential-cache';
import { credentialPrincipal } from './principal';

/** Kore.ai signs API-scope apps' JWTs with HMAC only. */
const KORE_ALGORITHMS = ['HS256', 'HS512'] as const;
const CLOCK_TOLERANCE_SECONDS = 30;
/** A Kore JWT without `exp` acts for at most this long, as far as anything downstream asks. */
const NO_EXPIRY_SECONDS = 3600;

/** The app a token names in its `appId` claim (unverified): whether this is a Kore app JWT at all. */
export function koreAppId(token: string): string | undefined {
  try {
    const appId = (jwt.decode(token) as JwtPayload | null)?.appId;
    return typeof appId === 'string' ? appId : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Verifies a JWT made as Kore.ai documents it for its public APIs: claims
 * `appId` (the credential id, Kore's clientId) and `sub`, signed HS256 (or
 * HS512) with the app's client secret (the credential's secret). `exp` is
 * honoured when present and not required, as on Kore.
 */
export async function verifyKoreAppJwt(token: string, appId: string, lookup: CredentialLookup): Promise<Principal> {
  const credential = await lookup.find(appId);
  if (!credential) throw new UnauthorizedError(`no app has the appId ${appId}, or its credential was revoked`, 'unknown-key');
  let payload: JwtPayload;
  try {
    payload = jwt.verify(token, credential.secret, { algorithms: [...KORE_ALGORITHMS], clockTolerance: CLOCK_TOLERANCE_SECONDS }) as JwtPayload;
  } catch (err) {
    const e = err as Error;
    if (e.name === 'TokenExpiredError') throw new UnauthorizedError('the JWT has expired (exp)', 'signature');
    if (/algorithm/.test(e.message)) throw new UnauthorizedError(`a Kore app JWT is signed ${KORE_ALGORITHMS.join(' or ')}`, 'signature');
    throw new UnauthorizedError(`the JWT is not signed with the client secret of app ${appId}`, 'signature');
  }
  const exp = typeof payload.exp === 'number' && Number.isSafeInteger(payload.exp) ? payload.exp * 1000 : Date.now() + NO_EXPIRY_SECONDS * 1000;
  return credentialPrincipal(credential, new Date(exp));
}

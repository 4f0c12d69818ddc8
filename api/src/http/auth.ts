import {
  ForbiddenError,
  IntegrationTokens,
  isOperator,
  isSigV4,
  koreAppId,
  type Principal,
  type TokenVerifier,
  UnauthorizedError,
  verifyKoreAppJwt,
  verifySigV4,
} from '@botport/shared';
import type { NextFunction, Request, Response } from 'express';
import type { ApiContext } from '../context';

declare module 'express-serve-static-core' {
  interface Locals {
    principal: Principal;
  }
}

export function bearerToken(req: Request): string | undefined {
  const header = req.headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
}

/** Verifies botport's bearer token and leaves the caller in `res.locals.principal`. */
export function authenticate(tokens: TokenVerifier) {
  return (req: Request, res: Response, next: NextFunction) => {
    const token = bearerToken(req);
    if (!token) return next(new UnauthorizedError());
    res.locals.principal = tokens.verify(token);
    next();
  };
}

type SignIns = Pick<ApiContext, 'tokens' | 'credentialLookup' | 'integrationTokens'>;

/** The request as it came off the wire, for SigV4: the raw path and query, the body's bytes. */
function signedRequest(req: Request) {
  const q = req.originalUrl.indexOf('?');
  return {
    method: req.method,
    path: q < 0 ? req.originalUrl : req.originalUrl.slice(0, q),
    query: q < 0 ? '' : req.originalUrl.slice(q + 1),
    headers: req.headers,
    body: req.rawBody,
  };
}

/**
 * The Lex surface: AWS Signature Version 4 with an API credential as the
 * access key (service `lex`, any region), or botport's bearer JWT as before.
 */
export function authenticateLex(ctx: SignIns) {
  return async (req: Request, res: Response, next: NextFunction) => {
    if (isSigV4(req.headers.authorization)) {
      res.locals.principal = await verifySigV4(signedRequest(req), ctx.credentialLookup, 'lex');
      return next();
    }
    const token = bearerToken(req);
    if (!token) throw new UnauthorizedError('Missing Authentication Token: sign the request with AWS Signature Version 4 or send a bearer token', 'missing');
    res.locals.principal = ctx.tokens.verify(token);
    next();
  };
}

/**
 * The Kore.ai surface: Kore's `auth` header (or a bearer token) carrying
 * either a Kore app JWT (an `appId` claim: signed with that credential's
 * secret) or botport's own JWT.
 */
export function authenticateKore(ctx: SignIns) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const token = bearerToken(req) ?? (typeof req.headers.auth === 'string' ? req.headers.auth.replace(/^Bearer\s+/, '').trim() : undefined);
    if (!token) throw new UnauthorizedError('a JWT is required in the auth header');
    const appId = koreAppId(token);
    res.locals.principal = appId ? await verifyKoreAppJwt(token, appId, ctx.credentialLookup) : ctx.tokens.verify(token);
    next();
  };
}

/** The Xenioo surface: a token from /authorization/integration, or botport's bearer JWT. */
export function authenticateXenioo(ctx: SignIns) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const token = bearerToken(req);
    if (!token) throw new UnauthorizedError('a bearer token from /authorization/integration is required');
    res.locals.principal = IntegrationTokens.isIntegrationToken(token) ? await ctx.integrationTokens.verify(token) : ctx.tokens.verify(token);
    next();
  };
}

/** Whether the caller holds a tenant scope; the tenant's `admin` holds them all. */
export const hasScope = (p: Principal, scope: string): boolean => p.scopes.has(scope) || p.scopes.has('admin');

/** A tenant scope, as a route's guard. */
export function requireScope(scope: string) {
  return (_req: Request, res: Response, next: NextFunction) => {
    if (!hasScope(res.locals.principal, scope)) return next(new ForbiddenError(`the token lacks the '${scope}' scope`));
    next();
  };
}

/** What only the operator may do: nothing a tenant's admin holds reaches it. */
export function requireOperator(_req: Request, res: Response, next: NextFunction) {
  if (!isOperator(res.locals.principal)) return next(new ForbiddenError("the token lacks the 'operator' scope"));
  next();
}

/** The tenant's admin (for its own tenant) or the operator (for any). */
export function requireAdminOrOperator(_req: Request, res: Response, next: NextFunction) {
  const p = res.locals.principal;
  if (!p.scopes.has('admin') && !isOperator(p)) return next(new ForbiddenError("the token lacks the 'admin' scope"));
  next();
}

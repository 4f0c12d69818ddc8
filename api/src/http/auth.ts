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
import type { IncomingMessage } from 'node:http';
import type { ApiContext } from '../context';

declare module 'express-serve-static-core' {
  interface Locals {
    principal: Principal;
  }
}

export function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
}

type SignIns = Pick<ApiContext, 'tokens' | 'credentialLookup' | 'integrationTokens'>;

/** A sign-in as middleware: the caller in `res.locals.principal`. */
function signIn(principal: (req: IncomingMessage) => Principal | Promise<Principal>) {
  return async (req: Request, res: Response, next: NextFunction) => {
    res.locals.principal = await principal(req);
    next();
  };
}

/** The request as it came off the wire, for SigV4: the raw path and query (before any router trimmed it), the body's bytes. */
function signedRequest(req: IncomingMessage & { originalUrl?: string }) {
  const url = req.originalUrl ?? req.url!;
  const q = url.indexOf('?');
  return {
    method: req.method!,
    path: q < 0 ? url : url.slice(0, q),
    query: q < 0 ? '' : url.slice(q + 1),
    headers: req.headers,
    body: req.rawBody,
  };
}

/** botport's own sign-in: its bearer JWT. */
export function bearerPrincipal(ctx: Pick<SignIns, 'tokens'>) {
  return (req: IncomingMessage): Principal => {
    const token = bearerToken(req);
    if (!token) throw new UnauthorizedError();
    return ctx.tokens.verify(token);
  };
}

/**
 * The Lex surface's sign-in: AWS Signature Version 4 with an API credential
 * as the access key (service `lex`, any region), or botport's bearer JWT.
 */
export function lexPrincipal(ctx: SignIns) {
  return async (req: IncomingMessage): Promise<Principal> => {
    if (isSigV4(req.headers.authorization)) return verifySigV4(signedRequest(req), ctx.credentialLookup, 'lex');
    const token = bearerToken(req);
    if (!token) throw new UnauthorizedError('Missing Authentication Token: sign the request with AWS Signature Version 4 or send a bearer token', 'missing');
    return ctx.tokens.verify(token);
  };
}

/** Verifies botport's bearer token and leaves the caller in `res.locals.principal`. */
export const authenticate = (tokens: TokenVerifier) => signIn(bearerPrincipal({ tokens }));

/** The Lex surface's sign-in (lexPrincipal) as middleware. */
export const authenticateLex = (ctx: SignIns) => signIn(lexPrincipal(ctx));

/**
 * The Kore.ai surface's sign-in: Kore's `auth` header (or a bearer token)
 * carrying either a Kore app JWT (an `appId` claim: signed with that
 * credential's secret) or botport's own JWT.
 */
export function korePrincipal(ctx: SignIns) {
  return async (req: IncomingMessage): Promise<Principal> => {
    const token = bearerToken(req) ?? (typeof req.headers.auth === 'string' ? req.headers.auth.replace(/^Bearer\s+/, '').trim() : undefined);
    if (!token) throw new UnauthorizedError('a JWT is required in the auth header');
    const appId = koreAppId(token);
    return appId ? verifyKoreAppJwt(token, appId, ctx.credentialLookup) : ctx.tokens.verify(token);
  };
}

/** The Kore.ai surface's sign-in (korePrincipal) as middleware. */
export const authenticateKore = (ctx: SignIns) => signIn(korePrincipal(ctx));

/** The Xenioo surface: a token from /authorization/integration, or botport's bearer JWT. */
export function authenticateXenioo(ctx: SignIns) {
  return signIn(async (req) => {
    const token = bearerToken(req);
    if (!token) throw new UnauthorizedError('a bearer token from /authorization/integration is required');
    return IntegrationTokens.isIntegrationToken(token) ? ctx.integrationTokens.verify(token) : ctx.tokens.verify(token);
  });
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

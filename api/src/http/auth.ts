import { ForbiddenError, isOperator, type Principal, type TokenSettings, UnauthorizedError, verifyToken } from '@botport/shared';
import type { NextFunction, Request, Response } from 'express';

declare module 'express-serve-static-core' {
  interface Locals {
    principal: Principal;
  }
}

export function bearerToken(req: Request): string | undefined {
  const header = req.headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
}

/**
 * Verifies the bearer token (or, where a surface allows it, Kore's `auth`
 * header) and leaves the caller in `res.locals.principal`.
 */
export function authenticate(settings: TokenSettings, options: { koreHeader?: boolean } = {}) {
  return (req: Request, res: Response, next: NextFunction) => {
    let token = bearerToken(req);
    if (!token && options.koreHeader && typeof req.headers.auth === 'string') token = req.headers.auth.replace(/^Bearer\s+/, '').trim();
    if (!token) return next(new UnauthorizedError());
    res.locals.principal = verifyToken(token, settings);
    next();
  };
}

/** A tenant scope; the tenant's `admin` holds them all. */
export function requireScope(scope: string) {
  return (_req: Request, res: Response, next: NextFunction) => {
    const p = res.locals.principal;
    if (!p.scopes.has(scope) && !p.scopes.has('admin')) return next(new ForbiddenError(`the token lacks the '${scope}' scope`));
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

import { Principal, TokenSettings, UnauthorizedError, verifyToken, ForbiddenError } from '@botport/shared';
import { NextFunction, Request, Response } from 'express';

declare module 'express-serve-static-core' {
  interface Locals {
    principal: Principal;
  }
}

/**
 * Verifies the bearer token (and Kore's `auth` header where a surface allows
 * it) and leaves the caller in `res.locals.principal`.
 */
export function authenticate(settings: TokenSettings, options: { koreHeader?: boolean } = {}) {
  return (req: Request, res: Response, next: NextFunction) => {
    const header = req.headers.authorization;
    let token: string | undefined;
    if (header?.startsWith('Bearer ')) token = header.slice(7).trim();
    else if (options.koreHeader && typeof req.headers.auth === 'string') token = req.headers.auth.replace(/^Bearer\s+/, '').trim();
    if (!token) return next(new UnauthorizedError());
    res.locals.principal = verifyToken(token, settings);
    next();
  };
}

export function requireScope(scope: string) {
  return (_req: Request, res: Response, next: NextFunction) => {
    const p = res.locals.principal;
    if (!p.scopes.has(scope) && !p.scopes.has('admin')) return next(new ForbiddenError(`the token lacks the '${scope}' scope`));
    next();
  };
}

import { type Principal, type TokenSettings, UnauthorizedError, verifyToken, ForbiddenError } from '@botport/shared';
import type { NextFunction, Request, Response } from 'express';

declare module 'express-serve-static-core' {
  interface Locals {
    principal: Principal;
  }
}

/** The queue dashboard's cookie (`POST /admin/session`): HttpOnly, SameSite=Strict, path /admin. */
export const ADMIN_COOKIE = 'botport_admin';

export function bearerToken(req: Request): string | undefined {
  const header = req.headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
}

function cookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

/**
 * Verifies the bearer token (or, where a surface allows it, Kore's `auth`
 * header or the dashboard's cookie) and leaves the caller in
 * `res.locals.principal`.
 */
export function authenticate(settings: TokenSettings, options: { koreHeader?: boolean; adminCookie?: boolean } = {}) {
  return (req: Request, res: Response, next: NextFunction) => {
    let token = bearerToken(req);
    if (!token && options.koreHeader && typeof req.headers.auth === 'string') token = req.headers.auth.replace(/^Bearer\s+/, '').trim();
    if (!token && options.adminCookie) token = cookie(req, ADMIN_COOKIE);
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

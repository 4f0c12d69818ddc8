import { ValidationError } from '@botport/shared';
import type { NextFunction, Request, Response } from 'express';
import { setRetryAfter, toAppError } from '../../http/errors';

/** The native surface's errors: RFC 9457 problem+json. */
export function problemHandler(err: unknown, req: Request, res: Response, next: NextFunction) {
  if (res.headersSent) return next(err);
  const e = toAppError(err, req);
  setRetryAfter(res, e);
  const body: Record<string, unknown> = {
    type: `https://botport.dev/problems/${e.code.toLowerCase()}`,
    title: e.name.replace(/Error$/, '').replace(/([a-z])([A-Z])/g, '$1 $2'),
    status: e.status,
    detail: e.message,
  };
  if (e instanceof ValidationError && e.errors.length) body.errors = e.errors;
  res.status(e.status).type('application/problem+json').send(JSON.stringify(body));
}

import { AppError, InternalError, isConnectionError, UnavailableError, ValidationError } from '@botport/shared';
import type { NextFunction, Request, Response } from 'express';

/**
 * Turns anything thrown into an AppError. Infrastructure outages become 503
 * (the caller may retry); anything else unknown is logged and answered as a
 * bare 500 so internals never leak.
 */
export function toAppError(err: unknown, req: Request): AppError {
  if (err instanceof AppError) return err;
  // Express's own refusals (a path parameter it cannot decode, a body it cannot read) are the caller's.
  const status = (err as { status?: unknown })?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) return new ValidationError('the request could not be read: check its path, query and body');
  const e = err as { name?: string; code?: string; $metadata?: unknown };
  const redis = e?.name === 'MaxRetriesPerRequestError' || /Connection is closed|Stream isn't writeable/.test(String((err as Error)?.message));
  if (redis || isConnectionError(err)) {
    req.log?.warn({ err }, 'dependency unavailable');
    // Which one, so an operator reading the answer knows where to look.
    return new UnavailableError(`${redis ? 'Redis (the job queue)' : 'the database'} is unreachable; try again shortly`);
  }
  req.log?.error({ err }, 'unhandled error');
  return new InternalError();
}

/** Sets Retry-After where the error carries one. */
export function setRetryAfter(res: Response, err: AppError): void {
  const seconds = (err as { retryAfterSeconds?: number }).retryAfterSeconds;
  if (seconds !== undefined) res.setHeader('Retry-After', String(Math.max(1, Math.ceil(seconds))));
  else if (err.status === 503) res.setHeader('Retry-After', '5');
}

/**
 * A surface's error handler: whatever was thrown becomes an AppError (with
 * Retry-After where it carries one), and `answer` writes it in the surface's
 * own wire shape. A response already under way is left to Express.
 */
export function errorHandler(answer: (e: AppError, res: Response) => void) {
  return (err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    const e = toAppError(err, req);
    setRetryAfter(res, e);
    answer(e, res);
  };
}

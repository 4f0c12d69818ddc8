import { AppError, InternalError, isConnectionError, UnavailableError } from '@botport/shared';
import type { Request, Response } from 'express';

/**
 * Turns anything thrown into an AppError. Infrastructure outages become 503
 * (the caller may retry); anything else unknown is logged and answered as a
 * bare 500 so internals never leak.
 */
export function toAppError(err: unknown, req: Request): AppError {
  if (err instanceof AppError) return err;
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

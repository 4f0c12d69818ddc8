import type { NextFunction, Request, Response } from 'express';
import { setRetryAfter, toAppError } from '../../http/errors';

/** Kore.ai's error shape: `{"errors": [{"msg", "code"}]}`. */
export function koreErrorHandler(err: unknown, req: Request, res: Response, next: NextFunction) {
  if (res.headersSent) return next(err);
  const e = toAppError(err, req);
  setRetryAfter(res, e);
  res.status(e.status).json({ errors: [{ msg: e.message, code: e.status }] });
}

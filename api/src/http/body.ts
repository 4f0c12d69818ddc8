import express from 'express';
import { PayloadTooLargeError, ValidationError } from '@botport/shared';
import type { NextFunction, Request, Response } from 'express';

/** JSON body parsing whose failures are AppErrors, so each surface answers in its own shape. */
export function jsonBody(limit: string) {
  const parse = express.json({ limit, type: ['application/json', 'application/*+json', 'application/x-amz-json-1.1'] });
  return (req: Request, res: Response, next: NextFunction) =>
    parse(req, res, (err?: unknown) => {
      if (!err) return next();
      const e = err as { type?: string; status?: number };
      if (e.type === 'entity.too.large') return next(new PayloadTooLargeError(`the request body exceeds ${limit}`));
      if (e.type === 'entity.parse.failed') return next(new ValidationError('the request body is not valid JSON'));
      if (e.status && e.status < 500) return next(new ValidationError('the request body could not be read'));
      next(err);
    });
}

import express from 'express';
import { guardJson, PayloadTooLargeError, ValidationError } from '@botport/shared';
import type { NextFunction, Request, Response } from 'express';

declare module 'http' {
  interface IncomingMessage {
    /** The body's exact bytes, kept for AWS SigV4's payload hash. */
    rawBody?: Buffer;
  }
}

/**
 * JSON body parsing whose failures are AppErrors, so each surface answers in
 * its own shape; the parsed body passes the input guard (no NUL, no lone
 * surrogate, no nesting past MAX_JSON_DEPTH) before any route reads it.
 */
export function jsonBody(limit: string) {
  const parse = express.json({
    limit,
    type: ['application/json', 'application/*+json', 'application/x-amz-json-1.1'],
    verify: (req, _res, buf) => {
      req.rawBody = buf;
    },
  });
  return (req: Request, res: Response, next: NextFunction) =>
    parse(req, res, (err?: unknown) => {
      if (!err) {
        try {
          guardJson(req.body, 'the request body');
        } catch (refused) {
          return next(refused); // called back from the body stream: a throw here would escape Express
        }
        return next();
      }
      const e = err as { type?: string; status?: number };
      if (e.type === 'entity.too.large') return next(new PayloadTooLargeError(`the request body exceeds ${limit}`));
      if (e.type === 'entity.parse.failed') return next(new ValidationError('the request body is not valid JSON'));
      if (e.status && e.status < 500) return next(new ValidationError('the request body could not be read'));
      next(err);
    });
}

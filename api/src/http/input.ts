import { decodedText, textProblem, ValidationError } from '@botport/shared';
import type { NextFunction, Request, Response } from 'express';

/** Every string in a parsed query (`a=1&a=2` gives arrays, `a[b]=1` objects). */
function* strings(value: unknown): Generator<string> {
  if (typeof value === 'string') yield value;
  else if (Array.isArray(value)) for (const v of value) yield* strings(v);
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) yield* [k, ...strings(v)];
}

/**
 * The input guard for a request's path and query (see shared/src/input):
 * bad percent-encoding, NUL and lone surrogates are refused with a
 * ValidationError before any route reads a parameter, so each surface answers
 * them in its own 400 shape. Mounted at the top of every surface's router.
 */
export function guardRequest(req: Request, _res: Response, next: NextFunction) {
  const [path] = req.originalUrl.split('?');
  for (const segment of path.split('/')) decodedText(segment, 'the path');
  for (const value of strings(req.query)) {
    const problem = textProblem(value);
    if (problem) throw new ValidationError(`the query ${problem}`);
  }
  next();
}

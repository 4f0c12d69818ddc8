import { ID_PATTERN, ValidationError, VERSION_PATTERN } from '@botport/shared';
import { z } from 'zod';

/** Parses with zod; every issue becomes a FieldError with its JSON path. */
export function parse<T>(schema: z.ZodType<T>, value: unknown, what = 'the request'): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const errors = r.error.issues.map((i) => ({ path: ['$', ...i.path].join('.'), message: i.message }));
  throw new ValidationError(`${what} is invalid: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`, errors);
}

export const botIdSchema = z.string().regex(ID_PATTERN, 'must be a 10-character bot id');
export const botVersionSchema = z.string().regex(VERSION_PATTERN, 'must be DRAFT or a version number');

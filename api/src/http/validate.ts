import { ValidationError } from '@botport/shared';
import { z } from 'zod';

/** Parses with zod; every issue becomes a FieldError with its JSON path. */
export function parse<T>(schema: z.ZodType<T>, value: unknown, what = 'the request'): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const errors = r.error.issues.map((i) => ({ path: ['$', ...i.path].join('.'), message: i.message }));
  throw new ValidationError(`${what} is invalid: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`, errors);
}

import { jsonPath, ValidationError } from '@botport/shared';
import type { z } from 'zod';

/** Parses with zod; every issue becomes a FieldError with its path, in the one style every field error uses (`$.a[0].b`). */
export function parse<T>(schema: z.ZodType<T>, value: unknown, what = 'the request'): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const errors = r.error.issues.map((i) => ({ path: jsonPath(i.path), message: i.message }));
  throw new ValidationError(`${what} is invalid: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`, errors);
}

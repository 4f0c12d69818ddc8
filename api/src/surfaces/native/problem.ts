import { ValidationError } from '@botport/shared';
import { z } from 'zod';
import { errorHandler } from '../../http/errors';

/** RFC 9457 problem details; `errors` names each field a validation refused. */
export const problemBody = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});

/** The native surface's errors: RFC 9457 problem+json. */
export const problemHandler = errorHandler((e, res) => {
  const body: Record<string, unknown> = {
    type: `https://botport.dev/problems/${e.code.toLowerCase()}`,
    title: e.name.replace(/Error$/, '').replace(/([a-z])([A-Z])/g, '$1 $2'),
    status: e.status,
    detail: e.message,
  };
  if (e instanceof ValidationError && e.errors.length) body.errors = e.errors;
  res.status(e.status).type('application/problem+json').send(JSON.stringify(body));
});

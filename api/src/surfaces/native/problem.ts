import { ValidationError } from '@botport/shared';
import { errorHandler } from '../../http/errors';

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

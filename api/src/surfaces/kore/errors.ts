import { z } from 'zod';
import { errorHandler } from '../../http/errors';

export const koreErrorBody = z.object({ errors: z.array(z.object({ msg: z.string(), code: z.number().int() })) });

/** Kore.ai's error shape: `{"errors": [{"msg", "code"}]}`. */
export const koreErrorHandler = errorHandler((e, res) => {
  res.status(e.status).json({ errors: [{ msg: e.message, code: e.status }] });
});

import { errorHandler } from '../../http/errors';

/** Kore.ai's error shape: `{"errors": [{"msg", "code"}]}`. */
export const koreErrorHandler = errorHandler((e, res) => {
  res.status(e.status).json({ errors: [{ msg: e.message, code: e.status }] });
});

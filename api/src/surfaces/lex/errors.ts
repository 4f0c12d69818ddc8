import type { ErrorCode } from '@botport/shared';
import { z } from 'zod';
import { errorHandler } from '../../http/errors';

/** Amazon Lex V2's error names; an unauthenticated call is AccessDenied (403), as AWS answers. */
const LEX_ERRORS: Record<ErrorCode, [string, number?]> = {
  Validation: ['ValidationException'],
  PayloadTooLarge: ['ValidationException'],
  Unauthorized: ['AccessDeniedException', 403],
  Forbidden: ['AccessDeniedException'],
  NotFound: ['ResourceNotFoundException'],
  Conflict: ['ConflictException'],
  PreconditionFailed: ['PreconditionFailedException'],
  QuotaExceeded: ['ServiceQuotaExceededException'],
  Throttled: ['ThrottlingException'],
  Unavailable: ['InternalServerException', 500], // as AWS documents it; the SDKs retry it
  Internal: ['InternalServerException'],
};

/** Lex's error body; the error's name is in the `x-amzn-ErrorType` header. */
export const lexErrorBody = z.object({ message: z.string() });
export const LEX_ERROR_NAMES = [...new Set(Object.values(LEX_ERRORS).map(([name]) => name))];

/** Lex's error shape: the status, `x-amzn-ErrorType: <Name>` and `{"message"}`. */
export const lexErrorHandler = errorHandler((e, res) => {
  const [name, status] = LEX_ERRORS[e.code];
  res.status(status ?? e.status).setHeader('x-amzn-ErrorType', name);
  res.json({ message: e.message });
});

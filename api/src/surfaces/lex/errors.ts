import type { ErrorCode } from '@botport/shared';
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

/** Lex's error shape: the status, `x-amzn-ErrorType: <Name>` and `{"message"}`. */
export const lexErrorHandler = errorHandler((e, res) => {
  const [name, status] = LEX_ERRORS[e.code];
  res.status(status ?? e.status).setHeader('x-amzn-ErrorType', name);
  res.json({ message: e.message });
});

import type { ErrorCode, SignInFailure } from '@botport/shared';
import type { Request, Response } from 'express';
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
/** A SigV4 sign-in's failures carry AWS's own names (a bad bearer JWT stays AccessDenied, as before). */
const SIGN_IN_ERRORS: Record<SignInFailure, [string, number]> = {
  missing: ['MissingAuthenticationTokenException', 403],
  incomplete: ['IncompleteSignatureException', 400],
  signature: ['InvalidSignatureException', 403],
  'unknown-key': ['UnrecognizedClientException', 403],
};

/** Lex's error shape: the status, `x-amzn-ErrorType: <Name>` and `{"message"}`. */
export const lexErrorHandler = errorHandler((e, res) => {
  const failure = (e as { failure?: SignInFailure }).failure;
  const [name, status] = failure ? SIGN_IN_ERRORS[failure] : LEX_ERRORS[e.code];
  res.status(status ?? e.status).setHeader('x-amzn-ErrorType', name);
  res.json({ message: e.message });
});

/** A path under the Lex surface that is no Lex operation botport serves: AWS's name for it, never a bare 404. */
export function unknownOperation(req: Request, res: Response) {
  res.status(404).setHeader('x-amzn-ErrorType', 'UnknownOperationException');
  res.json({ message: `Unknown operation: ${req.method} ${req.path} is not an Amazon Lex V2 operation this endpoint serves` });
}

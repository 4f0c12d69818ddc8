/**
 * The one error hierarchy. The core throws these; each surface maps `code` to
 * its platform's wire shape (problem+json, x-amzn-ErrorType, Kore's errors[]).
 */
export type ErrorCode =
  | 'Validation'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'Conflict'
  | 'PreconditionFailed'
  | 'QuotaExceeded'
  | 'Throttled'
  | 'PayloadTooLarge'
  | 'Unavailable'
  | 'Internal';

export interface FieldError {
  path: string;
  message: string;
}

/**
 * `permanent`: retrying cannot help (bad input, a bot gone, a conflict), so
 * a job failing with it fails at once; otherwise (an outage) it is retried.
 * Each class says which it is; a surface's status code has no say in it.
 */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly status: number,
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends AppError {
  constructor(
    message: string,
    readonly errors: FieldError[] = [],
  ) {
    super('Validation', message, 400, true);
  }
}
/**
 * Why a platform's own sign-in failed, for surfaces whose platform names each
 * case (Lex: IncompleteSignatureException, InvalidSignatureException, …).
 * `missing`: no credentials at all; `incomplete`: a signature lacking a part;
 * `signature`: it does not verify (wrong secret, altered, expired);
 * `unknown-key`: no such credential, or it was revoked.
 */
export type SignInFailure = 'missing' | 'incomplete' | 'signature' | 'unknown-key';

export class UnauthorizedError extends AppError {
  constructor(
    message = 'a valid bearer token is required',
    readonly failure?: SignInFailure,
  ) {
    super('Unauthorized', message, 401, true);
  }
}
export class ForbiddenError extends AppError {
  constructor(message: string) {
    super('Forbidden', message, 403, true);
  }
}
export class NotFoundError extends AppError {
  constructor(message: string) {
    super('NotFound', message, 404, true);
  }
}
export class ConflictError extends AppError {
  constructor(message: string) {
    super('Conflict', message, 409, true);
  }
}
export class PreconditionFailedError extends AppError {
  constructor(message: string) {
    super('PreconditionFailed', message, 412, true);
  }
}
export class QuotaExceededError extends AppError {
  constructor(message: string) {
    super('QuotaExceeded', message, 402, true);
  }
}
/** Retry later: the window it names ends. */
export class ThrottledError extends AppError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super('Throttled', message, 429, false);
  }
}
export class PayloadTooLargeError extends AppError {
  constructor(message: string) {
    super('PayloadTooLarge', message, 413, true);
  }
}
/** A dependency (PostgreSQL, Redis, S3) is out of reach for now. */
export class UnavailableError extends AppError {
  constructor(message: string) {
    super('Unavailable', message, 503, false);
  }
}
/** Something broke on our side; `permanent` when trying again cannot change it (a secret sealed under another key). */
export class InternalError extends AppError {
  constructor(message = 'internal error', options: { permanent?: boolean } = {}) {
    super('Internal', message, 500, options.permanent ?? false);
  }
}

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

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly status: number,
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
    super('Validation', message, 400);
  }
}
export class UnauthorizedError extends AppError {
  constructor(message = 'a valid bearer token is required') {
    super('Unauthorized', message, 401);
  }
}
export class ForbiddenError extends AppError {
  constructor(message: string) {
    super('Forbidden', message, 403);
  }
}
export class NotFoundError extends AppError {
  constructor(message: string) {
    super('NotFound', message, 404);
  }
}
export class ConflictError extends AppError {
  constructor(message: string) {
    super('Conflict', message, 409);
  }
}
export class PreconditionFailedError extends AppError {
  constructor(message: string) {
    super('PreconditionFailed', message, 412);
  }
}
export class QuotaExceededError extends AppError {
  constructor(message: string) {
    super('QuotaExceeded', message, 402);
  }
}
export class ThrottledError extends AppError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super('Throttled', message, 429);
  }
}
export class PayloadTooLargeError extends AppError {
  constructor(message: string) {
    super('PayloadTooLarge', message, 413);
  }
}
export class UnavailableError extends AppError {
  constructor(message: string) {
    super('Unavailable', message, 503);
  }
}
export class InternalError extends AppError {
  constructor(message = 'internal error') {
    super('Internal', message, 500);
  }
}

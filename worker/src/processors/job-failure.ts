import { type Job, UnrecoverableError } from 'bullmq';
import { AppError, type Logger, ValidationError } from '@botport/shared';

/** Reasons a person can act on: the message, then each field error with its path. */
export function failureReasons(err: unknown): string[] {
  const message = (err as Error).message;
  if (err instanceof ValidationError && err.errors.length) return [message, ...err.errors.map((e) => `${e.path}: ${e.message}`)];
  return [message];
}

/**
 * Decides what a job's error means. 4xx-class errors (bad archive, bot gone)
 * will not fix themselves: the record fails at once and the job is not
 * retried. Anything else (an outage) is retried with backoff, and fails the
 * record only on the last attempt. Always throws, so BullMQ sees the failure.
 */
export async function settleFailure(
  job: Job,
  err: unknown,
  what: 'the export' | 'the import',
  fail: (reasons: string[]) => Promise<void>,
  log: Logger,
): Promise<never> {
  const permanent = err instanceof AppError && err.status < 500;
  const attempt = job.attemptsMade + 1;
  if (permanent || attempt >= (job.opts.attempts ?? 1)) {
    const reasons = permanent ? failureReasons(err) : [`${what} failed after ${attempt} attempts: ${(err as Error).message}`];
    await fail(reasons);
    log.warn({ reasons }, 'job failed');
    if (permanent) throw new UnrecoverableError(reasons[0]);
  }
  throw err;
}

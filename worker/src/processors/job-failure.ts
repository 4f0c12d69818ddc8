import { type Job, UnrecoverableError } from 'bullmq';
import { AppError, type Logger, ValidationError } from '@botport/shared';

/** Reasons a person can act on: the message, then each field error with its path. */
export function failureReasons(err: unknown): string[] {
  const message = (err as Error).message;
  if (err instanceof ValidationError && err.errors.length) return [message, ...err.errors.map((e) => `${e.path}: ${e.message}`)];
  return [message];
}

/**
 * Whether trying again could help. The error says so itself (AppError's
 * `permanent`); besides, PostgreSQL's data exceptions (SQLSTATE class 22:
 * text it cannot store) and a blown stack come from the input, not the moment.
 */
function isPermanent(err: unknown): boolean {
  if (err instanceof AppError) return err.permanent;
  return err instanceof RangeError || /^22[0-9A-Z]{3}$/.test(String((err as { code?: unknown })?.code));
}

/**
 * Decides what a job's error means. A permanent one (bad archive, bot gone,
 * a password sealed under another key) fails the record at once and the job
 * is not retried. Anything else (an outage) is retried with backoff, and fails
 * the record only on the last attempt. Always throws, so BullMQ sees the failure.
 */
export async function settleFailure(
  job: Job,
  err: unknown,
  what: 'the export' | 'the import' | 'the backup run',
  fail: (reasons: string[]) => Promise<void>,
  log: Logger,
  stopping: AbortSignal,
): Promise<never> {
  // Cut short by a shutdown: the job goes back to the queue, its record untouched.
  if (stopping.aborted) throw err;
  const permanent = isPermanent(err);
  const attempt = job.attemptsMade + 1;
  if (permanent || attempt >= (job.opts.attempts ?? 1)) {
    const reasons = permanent ? failureReasons(err) : [`${what} failed after ${attempt} attempts: ${(err as Error).message}`];
    await fail(reasons);
    log.warn({ reasons }, 'job failed');
    if (permanent) throw new UnrecoverableError(reasons[0]);
  }
  throw err;
}

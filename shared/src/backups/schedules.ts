import { CronExpressionParser } from 'cron-parser';
import { ValidationError } from '../errors';

/**
 * Backup schedules are cron expressions, run by BullMQ's job schedulers.
 * They are checked with cron-parser, the library BullMQ itself parses them
 * with, so an expression accepted here is one the scheduler runs, slot for
 * slot (five fields, or six with seconds first).
 */
export function checkSchedule(schedule: string, timezone: string, minIntervalSeconds: number): void {
  if (!isTimezone(timezone)) throw new ValidationError(`timezone '${timezone.slice(0, 60)}' is not an IANA time zone such as UTC or Europe/Berlin`);
  let next: Date[];
  try {
    next = nextSlots(schedule, timezone, 4);
  } catch (err) {
    throw new ValidationError(`schedule '${schedule.slice(0, 100)}' is not a cron expression: ${(err as Error).message}`);
  }
  if (!next.length) throw new ValidationError(`schedule '${schedule}' never fires`);
  const gaps = next.slice(1).map((d, i) => (d.getTime() - next[i].getTime()) / 1000);
  if (Math.min(...gaps) < minIntervalSeconds) {
    throw new ValidationError(`schedule '${schedule}' fires every ${Math.min(...gaps)} s; backups run at most every ${minIntervalSeconds} s`);
  }
}

/** The schedule's next `count` slots after now. */
export function nextSlots(schedule: string, timezone: string, count: number): Date[] {
  const interval = CronExpressionParser.parse(schedule, { tz: timezone, currentDate: new Date() });
  return interval.take(count).map((d) => d.toDate());
}

function isTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** One job scheduler per policy, named after it, so declaring it again (every worker, the reconciler) changes nothing. */
export const schedulerId = (policyId: string): string => `backup-policy-${policyId}`;

import { Backoffs, type Job, UnrecoverableError } from 'bullmq';
import {
  BackupPolicies,
  BackupRuns,
  deliver,
  DeliveryAttempts,
  type DeliveryResult,
  ExportRecords,
  ImportRecords,
  type JobKind,
  type NotifyEvent,
} from '@botport/shared';
import type { WorkerContext } from '../context';

/** Queues the notifyUrl call of a job that has just ended; a job without one has nothing to do. */
export async function announceEnd(
  ctx: WorkerContext,
  kind: JobKind,
  record: { notifyUrl: string | null },
  id: string,
  status: 'Completed' | 'Failed',
): Promise<void> {
  if (!record.notifyUrl) return;
  await ctx.queues.enqueueNotification(kind, id, status).catch((err) => ctx.logger.warn({ kind, id, err }, 'the notification could not be queued'));
}

/** This run's number: a stalled run that started again counts, as the receiver may have seen it. */
const attemptOf = (job: Job): number => job.attemptsStarted || job.attemptsMade + 1;

/** When the queue will run a failed attempt again, from the job's own attempts and backoff; null when this was its last. */
async function nextRetryAt(job: Job, err: Error): Promise<Date | null> {
  const attemptsMade = job.attemptsMade + 1;
  if (attemptsMade >= (job.opts.attempts ?? 1)) return null;
  const backoff = job.opts.backoff === undefined ? undefined : Backoffs.normalize(job.opts.backoff);
  const delay = backoff ? await Backoffs.calculate(backoff, attemptsMade, err, job) : 0;
  return delay === undefined || delay < 0 ? null : new Date(Date.now() + delay);
}

/** What the attempt came to, kept for the job's owner; a failure to keep it is logged, never a reason to call the receiver again. */
async function record(
  ctx: WorkerContext,
  job: Job,
  owner: { kind: JobKind; id: string; tenantId: string },
  attemptedAt: Date,
  result: DeliveryResult,
  err?: Error,
): Promise<void> {
  await new DeliveryAttempts(ctx.db)
    .record({
      deliveryId: String(job.id),
      kind: owner.kind,
      jobId: owner.id,
      tenantId: owner.tenantId,
      attempt: attemptOf(job),
      attemptedAt,
      outcome: result.outcome,
      statusCode: 'statusCode' in result ? result.statusCode : null,
      error: 'error' in result ? result.error : null,
      nextRetryAt: result.outcome === 'failed' && err ? await nextRetryAt(job, err) : null,
    })
    .catch((e: unknown) => ctx.logger.warn({ ...owner, deliveryId: job.id, err: e }, 'the delivery attempt could not be recorded'));
}

/**
 * One delivery attempt of a `notify` job: the job's current record as the
 * event's data, with a link to describe it (where a fresh download URL is).
 * Every attempt is recorded for the job's owner. A failed one throws, so the
 * queue retries it with backoff; a refused address will not become
 * acceptable by retrying, so that one is final. The delivery id (the queue
 * job's id) stays the same on every retry.
 */
export async function deliverNotification(ctx: WorkerContext, job: Job<{ kind: JobKind; id: string }>): Promise<string> {
  const { kind, id } = job.data;
  const base = ctx.config.PUBLIC_BASE_URL ?? '';
  let url: string | null;
  let tenantId: string;
  let event: NotifyEvent;
  let data: object;
  if (kind === 'export') {
    const r = await new ExportRecords(ctx.db).getById(id);
    if (!r?.notifyUrl || (r.status !== 'Completed' && r.status !== 'Failed')) return 'skipped: the export is gone';
    url = r.notifyUrl;
    tenantId = r.tenantId;
    event = r.status === 'Completed' ? 'export.completed' : 'export.failed';
    data = {
      exportId: r.exportId,
      status: r.status,
      botId: r.botId,
      botName: r.botName,
      botVersion: r.botVersion,
      localeId: r.localeId,
      fileFormat: r.fileFormat,
      sizeBytes: r.sizeBytes,
      sha256: r.sha256,
      failureReasons: r.failureReasons,
      href: `${base}/v1/exports/${r.exportId}`,
    };
  } else if (kind === 'backup') {
    const run = await new BackupRuns(ctx.db).getById(id);
    const policy = run && (await new BackupPolicies(ctx.db).getById(run.policyId));
    if (!run || !policy?.notifyUrl || run.status !== 'Failed') return 'skipped: the backup run is gone';
    url = policy.notifyUrl;
    tenantId = run.tenantId;
    event = 'backup.failed';
    data = {
      runId: run.runId,
      policyId: policy.policyId,
      policyName: policy.name,
      status: run.status,
      slot: run.slot?.toISOString() ?? null,
      items: run.items,
      failureReasons: run.failureReasons,
      href: `${base}/v1/backup-policies/${policy.policyId}/runs/${run.runId}`,
    };
  } else {
    const r = await new ImportRecords(ctx.db).getById(id);
    if (!r?.notifyUrl || (r.status !== 'Completed' && r.status !== 'Failed')) return 'skipped: the import is gone';
    url = r.notifyUrl;
    tenantId = r.tenantId;
    event = r.status === 'Completed' ? 'import.completed' : 'import.failed';
    data = {
      importId: r.importId,
      status: r.status,
      botId: r.importedBotId,
      botName: r.importedBotName,
      summary: r.summary,
      failureReasons: r.failureReasons,
      href: `${base}/v1/imports/${r.importId}`,
    };
  }
  const owner = { kind, id, tenantId };
  const attemptedAt = new Date();
  const result = await deliver(url, event, String(job.id), data, ctx.config);
  if (result.outcome === 'delivered') {
    await record(ctx, job, owner, attemptedAt, result);
    ctx.logger.info({ kind, id, event, status: result.statusCode, attempt: attemptOf(job) }, 'notification delivered');
    return `delivered ${event}`;
  }
  const err = result.outcome === 'refused' ? new UnrecoverableError(result.error) : new Error(result.error);
  await record(ctx, job, owner, attemptedAt, result, err);
  throw err;
}

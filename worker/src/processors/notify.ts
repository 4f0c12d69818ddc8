import { type Job, UnrecoverableError } from 'bullmq';
import { deliver, ExportRecords, ImportRecords, type NotifyEvent } from '@botport/shared';
import type { WorkerContext } from '../context';

type Kind = 'export' | 'import';

/** Queues the notifyUrl call of a job that has just ended; a job without one has nothing to do. */
export async function announceEnd(
  ctx: WorkerContext,
  kind: Kind,
  record: { notifyUrl: string | null },
  id: string,
  status: 'Completed' | 'Failed',
): Promise<void> {
  if (!record.notifyUrl) return;
  await ctx.queues.enqueueNotification(kind, id, status).catch((err) => ctx.logger.warn({ kind, id, err }, 'the notification could not be queued'));
}

/**
 * One delivery attempt of a `notify` job: the job's current record as the
 * event's data, with a link to describe it (where a fresh download URL is).
 * A failed attempt throws, so the queue retries it with backoff; the delivery
 * id (the queue job's id) stays the same on every retry.
 */
export async function deliverNotification(ctx: WorkerContext, job: Job<{ kind: Kind; id: string }>): Promise<string> {
  const { kind, id } = job.data;
  const base = ctx.config.PUBLIC_BASE_URL ?? '';
  let url: string | null;
  let event: NotifyEvent;
  let data: object;
  if (kind === 'export') {
    const r = await new ExportRecords(ctx.db).getById(id);
    if (!r?.notifyUrl || (r.status !== 'Completed' && r.status !== 'Failed')) return 'skipped: the export is gone';
    url = r.notifyUrl;
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
  } else {
    const r = await new ImportRecords(ctx.db).getById(id);
    if (!r?.notifyUrl || (r.status !== 'Completed' && r.status !== 'Failed')) return 'skipped: the import is gone';
    url = r.notifyUrl;
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
  const result = await deliver(url, event, String(job.id), data, ctx.config);
  // A refused address will not become acceptable by retrying.
  if (result.outcome === 'refused') throw new UnrecoverableError(result.error);
  if (result.outcome === 'failed') throw new Error(result.error);
  ctx.logger.info({ kind, id, event, status: result.statusCode, attempt: job.attemptsMade + 1 }, 'notification delivered');
  return `delivered ${event}`;
}

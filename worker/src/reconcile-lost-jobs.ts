import { ExportRecords, JobQueues, MAINTENANCE_JOBS } from '@botport/shared';
import { WorkerContext } from './context';

const BATCH = 500;
/** Records younger than this may still be on their way into the queue. */
const GRACE_MS = 5000;
const SWEEP_EVERY_MS = 15 * 60 * 1000;

/**
 * PostgreSQL is the record of truth; Redis may lose everything (it keeps
 * nothing on disk here). Every unfinished record whose queue entry is gone is
 * enqueued again under its own id, so running this on every worker at once is
 * harmless. It also re-declares the sweeper's schedule, which a flush erases.
 */
export async function reconcileLostJobs(ctx: WorkerContext, queues: JobQueues, records = new ExportRecords(ctx.db)): Promise<number> {
  await queues.maintenance.upsertJobScheduler(MAINTENANCE_JOBS.sweepExpired, { every: SWEEP_EVERY_MS }, { name: MAINTENANCE_JOBS.sweepExpired });
  let requeued = 0;
  for (const r of await records.unfinished(GRACE_MS, BATCH)) {
    const deleting = r.status === 'Deleting';
    const job = deleting ? await queues.maintenance.getJob(`delete-${r.exportId}`) : await queues.exports.getJob(r.exportId);
    const state = job ? await job.getState() : 'missing';
    if (state === 'failed' && !deleting) {
      await records.fail(r.exportId, [job?.failedReason || 'the export failed']);
    } else if (state === 'missing' || state === 'completed' || state === 'unknown' || state === 'failed') {
      // Finished or lost while the record says otherwise: run it again under the same id.
      if (job) await job.remove().catch(() => undefined);
      await (deleting ? queues.enqueueExportDeletion(r.exportId) : queues.enqueueExport(r.exportId));
      requeued++;
    }
  }
  if (requeued) ctx.logger.warn({ requeued }, 'reconciler re-enqueued lost jobs');
  return requeued;
}

/** Runs the reconciler now and every `intervalMs`; returns a stop function. */
export function startReconciler(ctx: WorkerContext, queues: JobQueues, intervalMs: number): () => Promise<void> {
  let running: Promise<unknown> = Promise.resolve();
  const tick = () => {
    running = reconcileLostJobs(ctx, queues).catch((err) => ctx.logger.warn({ err: (err as Error).message }, 'reconciler run failed'));
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  return async () => {
    clearInterval(timer);
    await running;
  };
}

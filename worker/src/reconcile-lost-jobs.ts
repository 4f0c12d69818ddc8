import type { Job } from 'bullmq';
import { ExportRecords, ImportRecords, type JobQueues, MAINTENANCE_JOBS, runsByItself } from '@botport/shared';
import type { WorkerContext } from './context';
import { announceEnd } from './processors/notify';
import { reconcileBackups } from './processors/backup-run';

const BATCH = 500;
/** Records younger than this may still be on their way into the queue. */
const GRACE_MS = 5000;

/** One kind of job as the reconciler sees it: its unfinished records and their queue entries. */
interface JobKind {
  name: 'export' | 'import';
  unfinished(): Promise<{ id: string; status: string; notifyUrl: string | null }[]>;
  queueJob(id: string, deleting: boolean): Promise<Job | undefined>;
  enqueue(id: string, deleting: boolean): Promise<void>;
  fail(id: string, reasons: string[]): Promise<void>;
}

function jobKinds(ctx: WorkerContext, queues: JobQueues): JobKind[] {
  const exports = new ExportRecords(ctx.db);
  const imports = new ImportRecords(ctx.db);
  return [
    {
      name: 'export',
      unfinished: async () => (await exports.unfinished(GRACE_MS, BATCH)).map((r) => ({ id: r.exportId, status: r.status, notifyUrl: r.notifyUrl })),
      queueJob: (id, deleting) => queues.entryOf('export', id, deleting),
      enqueue: (id, deleting) => (deleting ? queues.enqueueExportDeletion(id) : queues.enqueueExport(id)),
      fail: (id, reasons) => exports.fail(id, reasons),
    },
    {
      name: 'import',
      unfinished: async () => (await imports.unfinished(GRACE_MS, BATCH)).map((r) => ({ id: r.importId, status: r.status, notifyUrl: r.notifyUrl })),
      queueJob: (id, deleting) => queues.entryOf('import', id, deleting),
      enqueue: (id, deleting) => (deleting ? queues.enqueueImportDeletion(id) : queues.enqueueImport(id)),
      fail: (id, reasons) => imports.fail(id, reasons),
    },
  ];
}

/**
 * PostgreSQL is the record of truth; Redis may lose everything (it keeps
 * nothing on disk here). Every unfinished export or import whose queue entry
 * is gone is enqueued again under its own id, so running this on every
 * worker at once is harmless. It also re-declares the sweeper's schedule,
 * which a flush erases.
 */
export async function reconcileLostJobs(ctx: WorkerContext, queues: JobQueues): Promise<number> {
  await queues.maintenance.upsertJobScheduler(MAINTENANCE_JOBS.sweepExpired, { every: ctx.config.SWEEP_INTERVAL_MS }, { name: MAINTENANCE_JOBS.sweepExpired });
  let requeued = 0;
  for (const kind of jobKinds(ctx, queues)) {
    for (const r of await kind.unfinished()) {
      const deleting = r.status === 'Deleting';
      const job = await kind.queueJob(r.id, deleting);
      const state = job ? await job.getState() : 'missing';
      if (state === 'failed' && !deleting) {
        await kind.fail(r.id, [job?.failedReason || 'the job failed']);
        await announceEnd(ctx, kind.name, r, r.id, 'Failed');
      } else if (!runsByItself(state)) {
        // Finished or lost while the record says otherwise: run it again under the same id.
        if (job) await job.remove().catch(() => undefined);
        await kind.enqueue(r.id, deleting);
        requeued++;
      }
    }
  }
  requeued += await reconcileBackups(ctx);
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

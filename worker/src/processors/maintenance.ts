import type { Job } from 'bullmq';
import { exportObjectPrefix, ExportRecords, ImportRecords, MAINTENANCE_JOBS, QUEUES, sweepEntryCache } from '@botport/shared';
import type { WorkerContext } from '../context';
import type { Processor } from './processor';
import { deliverNotification } from './notify';

const SWEEP_BATCH = 100;

/**
 * Deletes exports and imports: one on request (DeleteExport, DeleteImport),
 * or every one past its seven days (the sweeper), with uploads no import
 * took. Object first, then record, so a crash in between leaves a record
 * that the next run deletes again — never an orphaned object. Idempotent:
 * running twice, or on two workers, is harmless. An imported bot is never
 * touched: deleting an import removes its job and uploaded archive only.
 * The sweeper also lets go of archive entry cache rows no version references
 * any more, once unused for the same seven days.
 */
export function maintenanceProcessor(ctx: WorkerContext): Processor {
  const exports = new ExportRecords(ctx.db);
  const imports = new ImportRecords(ctx.db);

  /** The whole prefix: the archive and anything a run cut short may have left. */
  async function deleteExport(r: { tenantId: string; exportId: string }): Promise<void> {
    await ctx.storage.deletePrefix(exportObjectPrefix(r.tenantId, r.exportId));
    await exports.remove(r.exportId);
  }

  async function deleteImport(importId: string, uploadId: string, objectKey: string): Promise<void> {
    await ctx.storage.delete(objectKey);
    await imports.remove(importId, uploadId);
  }

  /** Runs `remove` over `next()` batches until none is left; returns how many went. */
  async function sweep<T>(next: () => Promise<T[]>, remove: (item: T) => Promise<void>): Promise<number> {
    let swept = 0;
    for (let batch = await next(); batch.length; batch = await next()) {
      for (const item of batch) await remove(item);
      swept += batch.length;
    }
    return swept;
  }

  return {
    queue: QUEUES.maintenance,
    concurrency: 2,
    async handle(job: Job) {
      if (job.name === MAINTENANCE_JOBS.deleteExport) {
        const record = await exports.getById(job.data.exportId);
        if (record?.status === 'Deleting') await deleteExport(record);
        return 'deleted';
      }
      if (job.name === MAINTENANCE_JOBS.deleteImport) {
        const record = await imports.getById(job.data.importId);
        if (record?.status === 'Deleting') await deleteImport(record.importId, record.uploadId, record.objectKey);
        return 'deleted';
      }
      if (job.name === MAINTENANCE_JOBS.sweepExpired) {
        const swept = {
          exports: await sweep(() => exports.expired(SWEEP_BATCH), deleteExport),
          imports: await sweep(
            () => imports.expired(SWEEP_BATCH),
            (r) => deleteImport(r.importId, r.uploadId, r.objectKey),
          ),
          uploads: await sweep(
            () => imports.expiredUploads(SWEEP_BATCH),
            async (u) => {
              await ctx.storage.delete(u.objectKey);
              await imports.removeUpload(u.uploadId);
            },
          ),
          cachedComponents: await sweepEntryCache(ctx.db, 1000),
        };
        if (swept.exports + swept.imports + swept.uploads + swept.cachedComponents) ctx.logger.info(swept, 'expired jobs swept');
        return `swept ${swept.exports} exports, ${swept.imports} imports, ${swept.uploads} uploads, ${swept.cachedComponents} cached components`;
      }
      if (job.name === MAINTENANCE_JOBS.notify) return deliverNotification(ctx, job);
      throw new Error(`unknown maintenance job ${job.name}`);
    },
  };
}

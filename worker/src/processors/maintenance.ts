import { Job } from 'bullmq';
import { ExportRecords, MAINTENANCE_JOBS, QUEUES } from '@botport/shared';
import { WorkerContext } from '../context';
import { Processor } from './index';

const SWEEP_BATCH = 100;

/**
 * Deletes exports: one on request (DeleteExport), or every one past its seven
 * days (the sweeper). Object first, then record, so a crash in between leaves
 * a record that the next run deletes again — never an orphaned object.
 * Idempotent: running twice, or on two workers, is harmless.
 */
export function maintenanceProcessor(ctx: WorkerContext): Processor {
  const records = new ExportRecords(ctx.db);

  async function deleteExport(exportId: string, objectKey: string | null): Promise<void> {
    if (objectKey) await ctx.storage.delete(objectKey);
    await records.remove(exportId);
  }

  return {
    queue: QUEUES.maintenance,
    concurrency: 2,
    async handle(job: Job) {
      if (job.name === MAINTENANCE_JOBS.deleteExport) {
        const record = await records.getById(job.data.exportId);
        if (record?.status === 'Deleting') await deleteExport(record.exportId, record.objectKey);
        return 'deleted';
      }
      if (job.name === MAINTENANCE_JOBS.sweepExpired) {
        let swept = 0;
        for (let batch = await records.expired(SWEEP_BATCH); batch.length; batch = await records.expired(SWEEP_BATCH)) {
          for (const r of batch) await deleteExport(r.exportId, r.objectKey);
          swept += batch.length;
        }
        if (swept) ctx.logger.info({ swept }, 'expired exports swept');
        return `swept ${swept}`;
      }
      throw new Error(`unknown maintenance job ${job.name}`);
    },
  };
}

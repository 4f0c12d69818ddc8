import type { Job } from 'bullmq';
import {
  type ExportRecord,
  ExportRecords,
  exportObjectKey,
  exportObjectPrefix,
  archiveChunks,
  archiveKey,
  EntryCache,
  newId,
  NotFoundError,
  QUEUES,
  uploadCounted,
  withSnapshot,
} from '@botport/shared';
import type { WorkerContext } from '../context';
import type { Processor } from './processor';
import { settleFailure } from './job-failure';
import { announceEnd } from './notify';
import { withProgress } from './progress';

/**
 * Exports one bot version: one snapshot read by cursor → selection → archive
 * format → zip (deflated on every core) → multipart upload, streaming end to
 * end; a derived format's files come from the tenant's archive entry cache
 * where it has them and go into it where not. A repeat export of a published
 * version (no password) copies the earlier archive instead, as an object of
 * its own. Permanent faults (bot, version or locale gone) fail the job at
 * once with a reason a person can act on; anything else is retried with backoff.
 */
export function exportProcessor(ctx: WorkerContext): Processor {
  const records = new ExportRecords(ctx.db);
  return {
    queue: QUEUES.exports,
    concurrency: ctx.config.EXPORT_CONCURRENCY,
    handle: (job: Job<{ exportId: string }>) => performExport(ctx, records, job),
  };
}

async function performExport(
  ctx: WorkerContext,
  records: ExportRecords,
  job: Job<{ exportId: string }>,
): Promise<string | { outcome: string; sizeBytes: number }> {
  const record = await records.getById(job.data.exportId);
  if (!record || record.status !== 'InProgress') return 'skipped: the export is gone or finished';
  const log = ctx.logger.child({ exportId: record.exportId, attempt: job.attemptsMade + 1 });
  try {
    const cache = new EntryCache(ctx.db, record.tenantId, (err) => log.warn({ err }, 'the archive entry cache could not be written'));
    const result = await buildArchive(ctx, records, cache, record, async (progress) => {
      await Promise.all([records.setProgress(record.exportId, progress), job.updateProgress(progress)]);
    });
    if (!(await records.complete(record.exportId, result))) {
      // Deleted, swept or completed by another run while we worked: leave no object of ours behind.
      await ctx.storage.delete(result.objectKey);
      log.info('export finished elsewhere or deleted meanwhile; this run discarded its archive');
      return 'discarded';
    }
    log.info({ sizeBytes: result.sizeBytes, sha256: result.sha256 }, 'export completed');
    await announceEnd(ctx, 'export', record, record.exportId, 'Completed');
    // Only the archive the record now names stays: not the one built before UpdateExport,
    // not one a run killed between its upload and this point left behind.
    await ctx.storage.deletePrefix(exportObjectPrefix(record.tenantId, record.exportId), result.objectKey);
    return { outcome: 'completed', sizeBytes: result.sizeBytes }; // the size feeds the archive-size histogram
  } catch (err) {
    return settleFailure(
      job,
      err,
      'the export',
      async (reasons) => {
        await records.fail(record.exportId, reasons);
        await announceEnd(ctx, 'export', record, record.exportId, 'Failed');
      },
      log,
      ctx.stopping.signal,
    );
  }
}

interface ArchiveResult {
  objectKey: string;
  sizeBytes: number;
  sha256: string;
  notes: string[];
  archiveKey: string | null;
}

async function buildArchive(
  ctx: WorkerContext,
  records: ExportRecords,
  cache: EntryCache,
  record: ExportRecord,
  reportProgress: (percent: number) => Promise<void>,
): Promise<ArchiveResult> {
  const objectKey = exportObjectKey(record.tenantId, record.exportId, newId());
  const notes: string[] = [];

  return withSnapshot(ctx.db, record.tenantId, record.botId, record.botVersion, async (snapshot) => {
    if (record.localeId && !(await snapshot.hasLocale(record.localeId))) {
      throw new NotFoundError(`bot ${record.botName} version ${record.botVersion} no longer has locale ${record.localeId}`);
    }
    const spec = { ...record, password: record.sealedPassword ? ctx.secrets.unseal(record.sealedPassword) : undefined };
    const key = archiveKey(spec, snapshot.header) ?? null;
    const copied = key ? await copyEarlier(ctx, records, record.tenantId, key, objectKey) : undefined;
    if (copied) return copied;
    const total = await snapshot.count();
    const chunks = archiveChunks(
      snapshot,
      spec,
      (message) => notes.push(message),
      (components) => withProgress(components, total, reportProgress),
      cache,
    );
    const { sha256, sizeBytes } = await uploadCounted(ctx.storage, objectKey, chunks);
    return { objectKey, sizeBytes, sha256, notes, archiveKey: key };
  });
}

/**
 * The archive of an earlier export with the same archive key, copied on the
 * server to this export's own key; undefined when there is none or its
 * object is gone meanwhile (deleted, swept): the archive is then built.
 */
async function copyEarlier(ctx: WorkerContext, records: ExportRecords, tenantId: string, key: string, objectKey: string): Promise<ArchiveResult | undefined> {
  const earlier = await records.withArchiveKey(tenantId, key);
  if (!earlier?.objectKey || earlier.sha256 === null || earlier.sizeBytes === null) return undefined;
  try {
    await ctx.storage.copy(earlier.objectKey, objectKey);
  } catch (err) {
    if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return undefined;
    throw err;
  }
  return { objectKey, sizeBytes: earlier.sizeBytes, sha256: earlier.sha256, notes: earlier.notes, archiveKey: key };
}

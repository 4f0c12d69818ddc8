import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Job } from 'bullmq';
import {
  allOf,
  componentsToImport,
  type FileSet,
  DraftUndo,
  ImportPlanner,
  inRolledBackTransaction,
  isPlanFailure,
  requireRevision,
  type ImportOutcome,
  type ImportPlan,
  type ImportRecord,
  ImportRecords,
  importIntoDraft,
  type ImportTarget,
  inTransaction,
  limitBytes,
  openArchive,
  QUEUES,
  readerFor,
  ValidationError,
  zipChunks,
} from '@botport/shared';
import type { WorkerContext } from '../context';
import type { Processor } from './processor';
import { settleFailure } from './job-failure';
import { announceEnd } from './notify';
import { withProgress } from './progress';

/**
 * Imports one uploaded archive: download to a temporary file (a zip is read
 * from its end, and the object may be large), check the archive, recognise
 * its format by its content, and stream its components into the target
 * DRAFT in one transaction that also completes the record. A bad archive
 * fails at once with reasons; an outage is retried.
 */
export function importProcessor(ctx: WorkerContext): Processor {
  const records = new ImportRecords(ctx.db);
  return {
    queue: QUEUES.imports,
    concurrency: ctx.config.IMPORT_CONCURRENCY,
    handle: (job: Job<{ importId: string }>) => performImport(ctx, records, job),
  };
}

function targetOf(r: ImportRecord): ImportTarget {
  if (r.botName) return { kind: 'named', botName: r.botName };
  if (r.botId && r.localeId) return { kind: 'locale', botId: r.botId, localeId: r.localeId };
  if (r.botId) return { kind: 'bot', botId: r.botId };
  return { kind: 'new' };
}

async function performImport(ctx: WorkerContext, records: ImportRecords, job: Job<{ importId: string }>): Promise<string> {
  const record = await records.getById(job.data.importId);
  if (!record || record.status !== 'InProgress') return 'skipped: the import is gone or finished';
  const log = ctx.logger.child({ importId: record.importId, attempt: job.attemptsMade + 1 });
  const dir = await mkdtemp(join(tmpdir(), 'botport-import-'));
  try {
    const file = join(dir, 'archive.zip');
    await download(ctx, record.objectKey, file);
    const archive = await archiveOfFiles(ctx, record, dir, file);
    const report = async (progress: number) => {
      await Promise.all([records.setProgress(record.importId, progress), job.updateProgress(progress)]);
    };
    if (record.dryRun) {
      const plan = await planImport(ctx, records, record, archive, report);
      log.info({ outcome: plan.outcome, counts: plan.counts }, 'import planned');
      await announceEnd(ctx, 'import', record, record.importId, 'Completed');
      return 'planned';
    }
    const outcome = await apply(ctx, records, record, archive, report);
    log.info({ botId: outcome.botId, added: outcome.added, replaced: outcome.replaced, kept: outcome.kept }, 'import completed');
    await announceEnd(ctx, 'import', record, record.importId, 'Completed');
    return 'completed';
  } catch (err) {
    // `await`: a bare return would leave the rejection unhandled while `finally` runs.
    return await settleFailure(
      job,
      err,
      'the import',
      async (reasons) => {
        await records.fail(record.importId, reasons);
        await announceEnd(ctx, 'import', record, record.importId, 'Failed');
      },
      log,
      ctx.stopping.signal,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function download(ctx: WorkerContext, key: string, file: string): Promise<void> {
  const body = await ctx.storage.download(key).catch((err: { name?: string }) => {
    if (err.name === 'NoSuchKey') throw new ValidationError('the uploaded archive is gone; upload it again');
    throw err;
  });
  await pipeline(body, limitBytes(ctx.config.IMPORT_MAX_ARCHIVE_BYTES), createWriteStream(file));
}

/** A zip begins with a local file header (or, empty, with the end record). */
async function isZip(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(4), 0, 4, 0);
    return bytesRead === 4 && (buffer.readUInt32LE(0) === 0x04034b50 || buffer.readUInt32LE(0) === 0x06054b50);
  } finally {
    await handle.close();
  }
}

/**
 * Kore's separate uploads (botDefinition.json, config.json, the icon) made
 * into the zip Kore's own export would be, on disk and streamed, so that one
 * reader and every archive check apply to them. An upload that is an archive
 * already is taken as it is.
 */
async function archiveOfFiles(ctx: WorkerContext, record: ImportRecord, dir: string, upload: string): Promise<string> {
  const set = record.options.fileSet as FileSet | undefined;
  if (!set || (await isZip(upload))) return upload;
  const files = [{ name: set.name, path: upload }];
  for (const [i, companion] of set.companions.entries()) {
    const path = join(dir, `companion-${i}`);
    await download(ctx, companion.objectKey, path);
    files.push({ name: companion.name, path });
  }
  const archive = join(dir, 'files.zip');
  const entries = (async function* () {
    for (const f of files) yield { name: f.name, stream: () => createReadStream(f.path) as AsyncIterable<Buffer> };
  })();
  await pipeline(Readable.from(zipChunks(entries)), createWriteStream(archive));
  return archive;
}

async function apply(
  ctx: WorkerContext,
  records: ImportRecords,
  record: ImportRecord,
  file: string,
  reportProgress: (percent: number) => Promise<void>,
): Promise<ImportOutcome> {
  const archive = await openArchive(file, ctx.config, record.sealedPassword ? ctx.secrets.unseal(record.sealedPassword) : undefined);
  try {
    const { reader, manifest } = await readerFor(archive);
    const source = await reader.read(archive, manifest);
    const components = withProgress(source.components, archive.entries.size, reportProgress);
    const undo = new DraftUndo(ctx.db, ctx.bots);
    const guard = record.expectedRevision === null ? undefined : requireRevision(ctx.bots, record.tenantId, record.expectedRevision);
    return await inTransaction(ctx.db, async (client) => {
      const outcome = await importIntoDraft(
        client,
        ctx.bots,
        record.tenantId,
        targetOf(record),
        record.mergeStrategy,
        { bot: source.bot, components },
        componentsToImport(record.options),
        allOf(guard, undo.keepPreImage(record.tenantId, record.importId, record.mergeStrategy)),
      );
      await undo.settle(client, record.tenantId, record.importId, outcome.botId);
      const { added, replaced, kept, botCreated } = outcome;
      const summary = { format: source.format, added, replaced, kept, botCreated, ...(source.notes.length ? { notes: source.notes } : {}) };
      // Deleted while we worked: roll the import back with it.
      if (!(await records.completeIn(client, record.importId, { botId: outcome.botId, botName: outcome.botName, summary }))) {
        throw new ValidationError(`import ${record.importId} was deleted while it ran`);
      }
      return outcome;
    });
  } finally {
    archive.close();
  }
}

/**
 * A dry run: the real import, in a transaction that is rolled back, its plan
 * the DRAFT compared before and after. A failure the import would meet (a
 * conflict, a missing reference) is part of the plan; an archive that cannot
 * be read fails the dry run as it would fail the import.
 */
async function planImport(
  ctx: WorkerContext,
  records: ImportRecords,
  record: ImportRecord,
  file: string,
  reportProgress: (percent: number) => Promise<void>,
): Promise<ImportPlan> {
  const archive = await openArchive(file, ctx.config, record.sealedPassword ? ctx.secrets.unseal(record.sealedPassword) : undefined);
  try {
    const { reader, manifest } = await readerFor(archive);
    const source = await reader.read(archive, manifest);
    const components = withProgress(source.components, archive.entries.size, reportProgress);
    const planner = new ImportPlanner(ctx.bots, record.tenantId, record.mergeStrategy);
    const plan = await inRolledBackTransaction(ctx.db, async (client) => {
      let result: { outcome: ImportOutcome } | { error: unknown };
      try {
        const outcome = await importIntoDraft(
          client,
          ctx.bots,
          record.tenantId,
          targetOf(record),
          record.mergeStrategy,
          { bot: source.bot, components },
          componentsToImport(record.options),
          planner.beforeWrite,
        );
        result = { outcome };
      } catch (error) {
        if (!isPlanFailure(error)) throw error;
        result = { error };
      }
      return planner.finish(client, source.format, result);
    });
    if (!(await records.completePlan(record.importId, plan))) throw new ValidationError(`import ${record.importId} was deleted while it ran`);
    return plan;
  } finally {
    archive.close();
  }
}

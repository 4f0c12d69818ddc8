import type { Job } from 'bullmq';
import { UnrecoverableError } from 'bullmq';
import {
  AppError,
  archiveChunks,
  BACKUP_JOBS,
  type BackupPolicy,
  type BackupRun,
  BackupService,
  type BackupSeries,
  EntryCache,
  hashChunks,
  ImportService,
  newId,
  NotFoundError,
  type OpenDestination,
  QUEUES,
  runsByItself,
  type RunItem,
  schedulerId,
  secretsKey,
  uploadCounted,
  withSnapshot,
} from '@botport/shared';
import type { WorkerContext } from '../context';
import type { Processor } from './processor';
import { failureReasons, settleFailure } from './job-failure';

const BOT_PAGE = 100;
const RECONCILE_GRACE_MS = 5000;

/** The backup core as the worker uses it (imports: restores are the api's, but the service is one). */
export function backupService(ctx: WorkerContext): BackupService {
  const imports = new ImportService({ ...ctx, limits: ctx.config, secret: secretsKey(ctx.config) });
  return new BackupService({ ...ctx, imports, settings: ctx.config });
}

/**
 * Backup runs. A schedule's slot (from the policy's BullMQ job scheduler)
 * first claims its run record — one per policy and slot, so a slot runs once
 * however many workers see it — and a run started by hand already has one.
 * Then, per bot and series: the archive is built into a hash only; when its
 * content hash matches the series' newest archive the item is "unchanged"
 * and nothing is written; otherwise it is built again, in the same snapshot,
 * and uploaded to the destination. Retention follows; a failed run notifies.
 */
export function backupRunProcessor(ctx: WorkerContext): Processor {
  const backups = backupService(ctx);
  return {
    queue: QUEUES.backups,
    concurrency: ctx.config.BACKUP_CONCURRENCY,
    async handle(job: Job) {
      if (job.name === BACKUP_JOBS.slot) {
        const policy = await backups.policies.getById(job.data.policyId);
        if (!policy || !policy.enabled) {
          await ctx.queues.unscheduleBackups(schedulerId(job.data.policyId)); // deleted or disabled meanwhile
          return 'skipped: the policy is gone or disabled';
        }
        const slot = new Date(job.opts.prevMillis ?? job.timestamp);
        const run = await backups.runs.insertScheduled(policy.tenantId, policy.policyId, newId(), slot);
        if (!run) return `skipped: slot ${slot.toISOString()} has its run already`;
        return perform(ctx, backups, policy, run, job);
      }
      if (job.name === BACKUP_JOBS.run) {
        const run = await backups.runs.getById(job.data.runId);
        if (!run || run.status !== 'InProgress') return 'skipped: the run is gone or finished';
        const policy = await backups.policies.getById(run.policyId);
        if (!policy) return 'skipped: the policy is gone';
        return perform(ctx, backups, policy, run, job);
      }
      throw new Error(`unknown backup job ${job.name}`);
    },
  };
}

async function perform(ctx: WorkerContext, backups: BackupService, policy: BackupPolicy, run: BackupRun, job: Job): Promise<string> {
  const log = ctx.logger.child({ policyId: policy.policyId, runId: run.runId, attempt: job.attemptsMade + 1 });
  const destination = backups.destinations.open(policy);
  try {
    const items: RunItem[] = [];
    for await (const bot of botsOf(ctx, policy)) {
      for (const series of policy.versions) items.push(await backupOne(ctx, backups, destination, policy, run, bot, series));
    }
    const failed = items.filter((i) => i.outcome === 'failed');
    const status = failed.length ? 'Failed' : items.some((i) => i.outcome === 'written') ? 'Completed' : 'Unchanged';
    await backups.runs.finish(
      run.runId,
      status,
      items,
      failed.map((i) => `${i.botName} ${i.series}: ${i.reason}`),
    );
    await applyRetention(backups, destination, policy, items);
    await backups.runs.sweep(100);
    log.info({ status, written: items.filter((i) => i.outcome === 'written').length }, 'backup run finished');
    if (status === 'Failed') {
      await announceFailure(ctx, policy, run);
      throw new UnrecoverableError(`${failed.length} of ${items.length} backups failed`); // counted as failed in the metrics
    }
    return status.toLowerCase();
  } catch (err) {
    if (err instanceof UnrecoverableError) throw err;
    return await settleFailure(
      job,
      err,
      'the backup run',
      async (reasons) => {
        await backups.runs.finish(run.runId, 'Failed', [], reasons);
        await announceFailure(ctx, policy, run);
      },
      log,
      ctx.stopping.signal,
    );
  } finally {
    destination.close();
  }
}

/** The policy's bot, or every bot of the tenant, a page at a time. */
async function* botsOf(ctx: WorkerContext, policy: BackupPolicy): AsyncGenerator<{ botId: string; name: string }> {
  if (policy.botId) {
    yield await ctx.bots.get(policy.tenantId, policy.botId);
    return;
  }
  let cursor: string | undefined;
  do {
    const page = await ctx.bots.list(policy.tenantId, BOT_PAGE, cursor);
    yield* page.bots;
    cursor = page.nextCursor;
  } while (cursor);
}

/**
 * One bot's series. "Unchanged" compares the SHA-256 of the archive built
 * without a password: exports are deterministic, so the same snapshot,
 * format and options give the same bytes, while AES (random salts) never
 * does — so under a password "unchanged" means "the same content as the
 * archive last written". Both passes read one snapshot.
 */
async function backupOne(
  ctx: WorkerContext,
  backups: BackupService,
  destination: OpenDestination,
  policy: BackupPolicy,
  run: BackupRun,
  bot: { botId: string; name: string },
  series: BackupSeries,
): Promise<RunItem> {
  const item = { botId: bot.botId, botName: bot.name, series };
  const version = series === 'DRAFT' ? 'DRAFT' : await ctx.bots.latestPublishedVersion(policy.tenantId, bot.botId);
  if (!version) return { ...item, botVersion: null, outcome: 'skipped', reason: 'never published' };
  try {
    const cache = new EntryCache(ctx.db, policy.tenantId, (err) =>
      ctx.logger.warn({ policyId: policy.policyId, err }, 'the archive entry cache could not be written'),
    );
    return await withSnapshot(ctx.db, policy.tenantId, bot.botId, version, async (snapshot) => {
      const spec = { fileFormat: policy.fileFormat, localeId: null, options: policy.options };
      const content = await hashChunks(archiveChunks(snapshot, spec, () => undefined, undefined, cache));
      const last = await backups.runs.latestArchive(policy.policyId, bot.botId, series);
      if (last && last.contentSha256 === content.sha256) {
        return { ...item, botVersion: version, outcome: 'unchanged', archiveId: last.archiveId, sha256: last.sha256, sizeBytes: last.sizeBytes } as RunItem;
      }
      const archiveId = newId();
      const objectKey = backups.destinations.keyOf(policy, { botId: bot.botId, series, botVersion: version, archiveId });
      const password = policy.sealedPassword ? ctx.secrets.unseal(policy.sealedPassword) : undefined;
      const plain = await uploadCounted(
        destination.storage,
        objectKey,
        archiveChunks(snapshot, { ...spec, password }, () => undefined, undefined, cache),
      );
      await backups.runs.insertArchive({
        archiveId,
        tenantId: policy.tenantId,
        policyId: policy.policyId,
        runId: run.runId,
        botId: bot.botId,
        botName: bot.name,
        series,
        botVersion: version,
        contentSha256: content.sha256,
        sha256: plain.sha256,
        sizeBytes: plain.sizeBytes,
        objectKey,
      });
      return { ...item, botVersion: version, outcome: 'written', archiveId, sha256: plain.sha256, sizeBytes: plain.sizeBytes } as RunItem;
    });
  } catch (err) {
    // A bot deleted during the run has nothing left to back up; any other permanent fault is this item's failure, the others go on.
    if (err instanceof NotFoundError) return { ...item, botVersion: version, outcome: 'skipped', reason: err.message };
    if (err instanceof AppError && err.permanent) return { ...item, botVersion: version, outcome: 'failed', reason: failureReasons(err).join('; ') };
    throw err;
  }
}

/** Per series this run touched: the archives retention lets go, object first, then record (a crash in between is redone next run). */
async function applyRetention(backups: BackupService, destination: OpenDestination, policy: BackupPolicy, items: RunItem[]): Promise<void> {
  for (const i of items.filter((x) => x.outcome === 'written' || x.outcome === 'unchanged')) {
    for (const old of await backups.runs.expiredArchives(policy.policyId, i.botId, i.series, policy.keepLast, policy.keepDays)) {
      await destination.storage.delete(old.objectKey);
      await backups.runs.removeArchive(old.archiveId);
    }
  }
}

async function announceFailure(ctx: WorkerContext, policy: BackupPolicy, run: BackupRun): Promise<void> {
  if (!policy.notifyUrl) return;
  await ctx.queues
    .enqueueNotification('backup', run.runId, 'Failed')
    .catch((err) => ctx.logger.warn({ runId: run.runId, err }, 'the notification could not be queued'));
}

/**
 * What Redis may lose, declared again from PostgreSQL: every enabled
 * policy's job scheduler (idempotent: the same id), and every run still
 * InProgress whose queue entry is gone.
 */
export async function reconcileBackups(ctx: WorkerContext): Promise<number> {
  const backups = backupService(ctx);
  let after = '';
  for (let batch = await backups.policies.enabled(after, 500); batch.length; batch = await backups.policies.enabled(after, 500)) {
    for (const p of batch) await backups.schedule(p);
    after = batch[batch.length - 1].policyId;
  }
  let requeued = 0;
  for (const run of await backups.runs.unfinished(RECONCILE_GRACE_MS, 500)) {
    const job = await ctx.queues.backups.getJob(`backup-run-${run.runId}`);
    const state = job ? await job.getState() : 'missing';
    if (runsByItself(state)) continue;
    if (job) await job.remove().catch(() => undefined);
    await ctx.queues.enqueueBackupRun(run.runId);
    requeued++;
  }
  return requeued;
}

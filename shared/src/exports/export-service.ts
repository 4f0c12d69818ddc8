import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import type { RedisConnection } from '../queue/queues';
import { assertBotAllowed, type Principal } from '../auth/tokens';
import type { BotStore } from '../bots/bot-store';
import { ConflictError, NotFoundError, QuotaExceededError } from '../errors';
import { newId } from '../ids';
import { canonicalJson, PageTokens } from '../paging/page-token';
import { type JobListQuery, pageOfJobs } from '../jobs/job-listing';
import type { JobQueues } from '../queue/queues';
import type { Storage } from '../storage/s3';
import { takeFromWindow } from '../throttle/rate-limit';
import type { SealedSecrets } from '../secrets/sealed-secrets';
import { type ExportOptions, type ExportRecord, ExportRecords, type FileFormat, type Surface } from './export-record';
import { checkExportOptions, namesTasks, resolveTasks } from './selection';
import { readTaskGraph } from '../bots/task-graph';
import { checkNotifyUrl, type NotifySettings } from '../notifications/notifications';
import { type DeliveryAttempt, DeliveryAttempts } from '../notifications/delivery-attempts';
import { UNIQUE_VIOLATION } from '../store/db';
import type { ChangeFeed } from '../changes/change-feed';
import { RecordCache, rowKey } from '../changes/record-cache';
import { type RowListener, RowWatch } from '../changes/row-watch';

export interface ExportRequest {
  botId: string;
  botVersion: string;
  localeId?: string;
  fileFormat: FileFormat;
  options?: ExportOptions;
  filePassword?: string;
  notifyUrl?: string;
}

export interface ExportLimits extends NotifySettings {
  EXPORT_MAX_UNFINISHED_PER_TENANT: number;
  EXPORT_CREATE_PER_MINUTE: number;
  QUEUE_PREFIX: string;
}

/** The file name a download is saved under, as Lex names its exports. */
export function exportFileName(r: Pick<ExportRecord, 'botName' | 'botVersion' | 'exportId' | 'fileFormat'>): string {
  return `${r.botName}-${r.botVersion}-${r.exportId}-${r.fileFormat}.zip`;
}

/** Every object an export ever wrote lives under this prefix. */
export function exportObjectPrefix(tenantId: string, exportId: string): string {
  return `exports/${encodeURIComponent(tenantId)}/${exportId}/`;
}

/**
 * Each run of an export writes its own object: should a job ever run twice
 * at once (a lock lost under load), the run that loses cannot overwrite or
 * delete the archive the record points at; it removes only its own.
 */
export function exportObjectKey(tenantId: string, exportId: string, runId: string): string {
  return `${exportObjectPrefix(tenantId, exportId)}${runId}.zip`;
}

/**
 * The one place that decides about export jobs: what may be exported, by
 * whom, how often, and what a status answer holds. Surfaces translate their
 * wire formats to these calls and back.
 */
export class ExportService {
  private readonly records: ExportRecords;
  /** Status reads from memory, kept coherent by the change feed (the api's; none in the worker). */
  private readonly cache: RecordCache<ExportRecord>;
  private readonly watched: RowWatch<ExportRecord>;
  private readonly attempts: DeliveryAttempts;
  private readonly pageTokens: PageTokens;

  constructor(
    private readonly deps: {
      db: Pool;
      redis: RedisConnection;
      bots: BotStore;
      queues: JobQueues;
      storage: Storage;
      secrets: SealedSecrets;
      limits: ExportLimits;
      secret: string;
      changes?: ChangeFeed;
    },
  ) {
    this.records = new ExportRecords(deps.db);
    this.cache = new RecordCache(deps.changes, 'export_jobs', (c) => [rowKey(c.tenantId, c.id), latestKey(c.tenantId, c.botId ?? '')]);
    this.watched = new RowWatch(
      deps.changes,
      'export_jobs',
      (tenantId, ids) => this.records.getMany(tenantId, ids),
      (r) => r.exportId,
    );
    this.attempts = new DeliveryAttempts(deps.db);
    this.pageTokens = new PageTokens(deps.secret);
  }

  async create(principal: Principal, surface: Surface, req: ExportRequest): Promise<ExportRecord> {
    const { bots, limits, redis, queues } = this.deps;
    assertBotAllowed(principal, req.botId);
    await takeFromWindow(redis, `${limits.QUEUE_PREFIX}:rate:create-export:${principal.tenantId}`, limits.EXPORT_CREATE_PER_MINUTE, 60, 'export requests');

    const bot = await bots.get(principal.tenantId, req.botId);
    if (!(await bots.versionExists(principal.tenantId, req.botId, req.botVersion))) {
      throw new NotFoundError(`bot ${req.botId} has no version ${req.botVersion}`);
    }
    if (req.localeId && !(await bots.localeExists(principal.tenantId, req.botId, req.botVersion, req.localeId))) {
      throw new NotFoundError(`bot ${req.botId} version ${req.botVersion} has no locale ${req.localeId}`);
    }
    const options = req.options ?? {};
    checkExportOptions(options, req.localeId);
    checkNotifyUrl(req.notifyUrl, limits);
    if (namesTasks(options.subTasks)) resolveTasks(options, await readTaskGraph(this.deps.db, principal.tenantId, req.botId, req.botVersion));
    if ((await this.records.countUnfinished(principal.tenantId)) >= limits.EXPORT_MAX_UNFINISHED_PER_TENANT) {
      throw new QuotaExceededError(`at most ${limits.EXPORT_MAX_UNFINISHED_PER_TENANT} exports may be in progress at once; wait for some to finish`);
    }

    // A protected and a plain export of the same thing are different archives; the password itself is never hashed here.
    const dedupeKey = createHash('sha256')
      .update(canonicalJson([req.botId, req.botVersion, req.localeId ?? null, req.fileFormat, options, req.filePassword !== undefined]))
      .digest('hex');
    let record: ExportRecord;
    try {
      record = await this.records.insert(
        {
          exportId: newId(),
          tenantId: principal.tenantId,
          requestedBy: principal.subject,
          surface,
          botId: req.botId,
          botName: bot.name,
          botVersion: req.botVersion,
          localeId: req.localeId ?? null,
          fileFormat: req.fileFormat,
          options,
          hasPassword: req.filePassword !== undefined,
          sealedPassword: req.filePassword === undefined ? null : this.deps.secrets.seal(req.filePassword),
          notifyUrl: req.notifyUrl ?? null,
        },
        dedupeKey,
      );
    } catch (err) {
      if ((err as { code?: string }).code !== UNIQUE_VIOLATION) throw err;
      const running = await this.records.findRunning(principal.tenantId, dedupeKey);
      throw new ConflictError(`an identical export is already in progress: ${running?.exportId ?? 'unknown'}`);
    }
    this.changed(record);
    // Should Redis fail here, the record stays InProgress and the reconciler enqueues it.
    await queues.enqueueExport(record.exportId).catch(() => undefined);
    return record;
  }

  /**
   * One of the caller's exports. One being deleted is not found, unless the
   * caller shows `Deleting` until it is gone (as Lex's DescribeExport does).
   */
  async describe(principal: Principal, exportId: string, shown: { whileDeleting?: boolean } = {}): Promise<ExportRecord> {
    const tenantId = principal.tenantId;
    const record = await this.cache.get(rowKey(tenantId, exportId), () => this.records.get(tenantId, exportId));
    if (!record || (record.status === 'Deleting' && !shown.whileDeleting) || (principal.botId && record.botId !== principal.botId)) {
      throw new NotFoundError(`export ${exportId} was not found`);
    }
    return record;
  }

  /**
   * Tells `listener` the export each time it changes (undefined once it is
   * gone), until the returned function is called: pushed by the change feed,
   * for server-sent events. 404 as describe; the record as it is now first.
   */
  async watch(principal: Principal, exportId: string, listener: RowListener<ExportRecord>): Promise<{ record: ExportRecord; unwatch: () => void }> {
    const unwatch = this.watched.watch(principal.tenantId, exportId, listener);
    try {
      return { record: await this.describe(principal, exportId), unwatch };
    } catch (err) {
      unwatch();
      throw err;
    }
  }

  /** The bot's most recent export (Kore's export status). */
  async latestForBot(principal: Principal, botId: string): Promise<ExportRecord> {
    assertBotAllowed(principal, botId);
    const tenantId = principal.tenantId;
    const record = await this.cache.get(latestKey(tenantId, botId), () => this.records.latestForBot(tenantId, botId));
    if (!record) throw new NotFoundError(`bot ${botId} has no export`);
    return record;
  }

  /** A freshly signed URL (five minutes) for a Completed export, else undefined. */
  async downloadUrl(record: ExportRecord): Promise<string | undefined> {
    if (record.status !== 'Completed' || !record.objectKey) return undefined;
    return this.deps.storage.presignDownload(record.objectKey, exportFileName(record));
  }

  /** The notifyUrl delivery attempts of one of the caller's exports, oldest first (404 as describe). */
  async deliveries(principal: Principal, exportId: string): Promise<DeliveryAttempt[]> {
    await this.describe(principal, exportId);
    return this.attempts.list(principal.tenantId, 'export', exportId);
  }

  async list(principal: Principal, query: JobListQuery): Promise<{ records: ExportRecord[]; nextToken?: string }> {
    return pageOfJobs(this.pageTokens, 'exports', principal, query, (filter) => this.records.list(principal.tenantId, filter));
  }

  /**
   * UpdateExport: builds a finished export again under a new password, or
   * plain without one, as Lex does; the download then needs the new password.
   */
  async update(principal: Principal, exportId: string, change: { filePassword?: string }): Promise<ExportRecord> {
    await this.describe(principal, exportId); // 404 unless it is the caller's
    const sealed = change.filePassword === undefined ? null : this.deps.secrets.seal(change.filePassword);
    let record: ExportRecord | undefined;
    try {
      record = await this.records.reprotect(principal.tenantId, exportId, sealed);
    } catch (err) {
      if ((err as { code?: string }).code !== UNIQUE_VIOLATION) throw err;
      throw new ConflictError('an identical export is already in progress; update this one once it has finished');
    }
    if (!record) throw new ConflictError(`export ${exportId} is still in progress; update it once it has finished`);
    this.changed(record);
    await this.deps.queues.enqueueExport(exportId, { again: true }).catch(() => undefined);
    return record;
  }

  /** Marks the export Deleting; the worker removes the object, then the record. */
  async delete(principal: Principal, exportId: string): Promise<ExportRecord> {
    await this.describe(principal, exportId); // 404 unless it is the caller's
    // Only a finished export can be marked; the one it refuses is still InProgress.
    const record = await this.records.markDeleting(principal.tenantId, exportId);
    if (!record) throw new ConflictError(`export ${exportId} is still in progress; delete it once it has finished`);
    this.changed(record);
    await this.deps.queues.enqueueExportDeletion(exportId).catch(() => undefined);
    return record;
  }

  /** What this replica changed it reads back at once; the others hear of it from the feed. */
  private changed(record: ExportRecord): void {
    this.cache.forget(rowKey(record.tenantId, record.exportId));
    this.cache.forget(latestKey(record.tenantId, record.botId));
  }
}

const latestKey = (tenantId: string, botId: string) => rowKey(tenantId, `latest:${botId}`);

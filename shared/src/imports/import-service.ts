import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Pool } from 'pg';
import type { RedisConnection } from '../queue/queues';
import { assertBotAllowed, type Principal } from '../auth/tokens';
import type { BotStore } from '../bots/bot-store';
import type { Component } from '../bots/definition';
import type { ImportMode, ImportTarget } from '../bots/draft-import';
import { DraftUndo, type UndoOutcome } from '../bots/draft-undo';
import type { ChangeFeed } from '../changes/change-feed';
import { RecordCache, rowKey } from '../changes/record-cache';
import { KIND_CATEGORIES } from '../bots/kinds';
import { ConflictError, NotFoundError, QuotaExceededError, ValidationError } from '../errors';
import type { Surface } from '../exports/export-record';
import { newId } from '../ids';
import { limitBytes, mb } from '../archive/byte-limit';
import { type JobListQuery, pageOfJobs } from '../jobs/job-listing';
import { PageTokens } from '../paging/page-token';
import type { JobQueues } from '../queue/queues';
import type { Storage } from '../storage/s3';
import { takeFromWindow } from '../throttle/rate-limit';
import type { SealedSecrets } from '../secrets/sealed-secrets';
import { type ImportRecord, ImportRecords } from './import-record';
import { checkNotifyUrl, type NotifySettings } from '../notifications/notifications';
import { type DeliveryAttempt, DeliveryAttempts } from '../notifications/delivery-attempts';

export interface ImportRequest {
  uploadId: string;
  target: ImportTarget;
  /** `Replace` (the DRAFT becomes exactly the archive) is for whole-bot targets only. */
  mergeStrategy: ImportMode;
  filePassword?: string;
  /** Plan only: compute what the import would do, change nothing. */
  dryRun?: boolean;
  /** Apply a plan only while the DRAFT is at the revision the plan saw. */
  draftRevision?: number;
  /** Surface settings kept with the job (Kore's importOptions). */
  options?: Record<string, unknown>;
  notifyUrl?: string;
  /**
   * When the upload may be one file rather than an archive (Kore's Bot Import
   * API takes botDefinition.json, config.json and the icon as separate
   * uploads): the upload's name in the archive the worker makes of it and the
   * uploads that go with it. An upload that is an archive is taken as it is.
   */
  asFile?: { name: string; companions: { name: string; uploadId: string }[] };
}

/** Kept with an import job whose upload may be one file (ImportRequest.asFile), with its companions' objects. */
export interface FileSet {
  name: string;
  companions: { name: string; objectKey: string }[];
}

export interface ImportLimits extends NotifySettings {
  EXPORT_MAX_UNFINISHED_PER_TENANT: number;
  EXPORT_CREATE_PER_MINUTE: number;
  IMPORT_MAX_ARCHIVE_BYTES: number;
  QUEUE_PREFIX: string;
}

export function uploadObjectKey(tenantId: string, uploadId: string): string {
  return `imports/${encodeURIComponent(tenantId)}/${uploadId}.zip`;
}

/**
 * The one place that decides about import jobs: uploads, what may be
 * imported where, and what a status answer holds. Surfaces translate.
 */
export class ImportService {
  private readonly records: ImportRecords;
  private readonly attempts: DeliveryAttempts;
  private readonly pageTokens: PageTokens;
  private readonly undos: DraftUndo;
  /** Status reads from memory, kept coherent by the change feed (the api's; none in the worker). */
  private readonly cache: RecordCache<ImportRecord>;

  constructor(
    private readonly deps: {
      db: Pool;
      redis: RedisConnection;
      bots: BotStore;
      queues: JobQueues;
      storage: Storage;
      secrets: SealedSecrets;
      limits: ImportLimits;
      secret: string;
      changes?: ChangeFeed;
    },
  ) {
    this.records = new ImportRecords(deps.db);
    this.cache = new RecordCache(deps.changes, 'import_jobs');
    this.attempts = new DeliveryAttempts(deps.db);
    this.pageTokens = new PageTokens(deps.secret);
    this.undos = new DraftUndo(deps.db, deps.bots);
  }

  /** Lex's CreateUploadUrl: an upload id and a PUT URL valid five minutes. */
  async createUploadUrl(principal: Principal): Promise<{ uploadId: string; uploadUrl: string }> {
    const uploadId = newId();
    const objectKey = uploadObjectKey(principal.tenantId, uploadId);
    await this.records.insertUpload({ uploadId, tenantId: principal.tenantId, objectKey });
    return { uploadId, uploadUrl: await this.deps.storage.presignUpload(objectKey) };
  }

  /** Kore's uploadfile and EDDI's import body: streams an archive to S3, size-limited. */
  async receiveUpload(principal: Principal, body: Readable): Promise<{ uploadId: string; sizeBytes: number; sha1: string }> {
    const uploadId = newId();
    const objectKey = uploadObjectKey(principal.tenantId, uploadId);
    const sha1 = createHash('sha1');
    let sizeBytes = 0;
    const counted = body.pipe(
      limitBytes(this.deps.limits.IMPORT_MAX_ARCHIVE_BYTES, (chunk) => {
        sha1.update(chunk);
        sizeBytes += chunk.length;
      }),
    );
    // A body that breaks off or runs over fails the upload, which aborts it: no partial object.
    let failure: Error | undefined;
    body.on('error', (err) => counted.destroy(err));
    counted.on('error', (err) => (failure = err));
    try {
      await this.deps.storage.uploadStream(objectKey, counted, 'application/zip');
    } catch (err) {
      throw failure ?? err;
    }
    if (failure) throw failure;
    if (!sizeBytes) {
      await this.deps.storage.delete(objectKey);
      throw new ValidationError('the upload is empty; send the archive as the request body');
    }
    await this.records.insertUpload({ uploadId, tenantId: principal.tenantId, objectKey });
    return { uploadId, sizeBytes, sha1: sha1.digest('hex') };
  }

  /**
   * Starts an import of an upload. The import id is the upload id (as Lex's
   * StartImport takes CreateUploadUrl's importId), so an upload is imported
   * at most once.
   */
  async start(principal: Principal, surface: Surface, req: ImportRequest): Promise<ImportRecord> {
    const { bots, limits, redis, storage } = this.deps;
    if (req.target.kind === 'bot' || req.target.kind === 'locale') {
      assertBotAllowed(principal, req.target.botId);
      await bots.get(principal.tenantId, req.target.botId);
    } else if (principal.botId) {
      throw new ValidationError('a bot token can import only into its own bot');
    }
    checkNotifyUrl(req.notifyUrl, limits);
    if (req.mergeStrategy === 'Replace' && req.target.kind === 'locale')
      throw new ValidationError('Replace empties the whole DRAFT: it takes a whole bot, not a locale');
    if (req.draftRevision !== undefined) await this.checkRevision(principal, req.target, req.draftRevision);
    await takeFromWindow(redis, `${limits.QUEUE_PREFIX}:rate:create-import:${principal.tenantId}`, limits.EXPORT_CREATE_PER_MINUTE, 60, 'import requests');
    const upload = await this.records.getUpload(principal.tenantId, req.uploadId);
    if (!upload) throw new NotFoundError(`import ${req.uploadId} was not found; create an upload URL first`);
    const size = await storage.size(upload.objectKey);
    if (size === undefined) throw new ValidationError(`nothing has been uploaded for import ${req.uploadId}; PUT the archive to its uploadUrl first`);
    if (size > limits.IMPORT_MAX_ARCHIVE_BYTES) {
      throw new ValidationError(`the uploaded archive is ${mb(size)}; an import takes at most ${mb(limits.IMPORT_MAX_ARCHIVE_BYTES)}`);
    }
    const fileSet = req.asFile && (await this.fileSet(principal, req.asFile));
    if ((await this.records.countUnfinished(principal.tenantId)) >= limits.EXPORT_MAX_UNFINISHED_PER_TENANT) {
      throw new QuotaExceededError(`at most ${limits.EXPORT_MAX_UNFINISHED_PER_TENANT} imports may be in progress at once; wait for some to finish`);
    }
    const t = req.target;
    const record = await this.records.insert({
      importId: upload.uploadId,
      tenantId: principal.tenantId,
      requestedBy: principal.subject,
      surface,
      uploadId: upload.uploadId,
      objectKey: upload.objectKey,
      botName: t.kind === 'named' ? t.botName : null,
      botId: t.kind === 'bot' || t.kind === 'locale' ? t.botId : null,
      localeId: t.kind === 'locale' ? t.localeId : null,
      mergeStrategy: req.mergeStrategy,
      options: fileSet ? { ...req.options, fileSet } : (req.options ?? {}),
      dryRun: req.dryRun ?? false,
      expectedRevision: req.draftRevision ?? null,
      hasPassword: req.filePassword !== undefined,
      sealedPassword: req.filePassword === undefined ? null : this.deps.secrets.seal(req.filePassword),
      notifyUrl: req.notifyUrl ?? null,
    });
    if (!record) throw new ConflictError(`import ${req.uploadId} has already been started`);
    // Should Redis fail here, the record stays InProgress and the reconciler enqueues it.
    await this.deps.queues.enqueueImport(record.importId).catch(() => undefined);
    return record;
  }

  /** The companions' uploads, each found (this tenant's) and within the size limit, by object key. */
  private async fileSet(principal: Principal, asFile: NonNullable<ImportRequest['asFile']>): Promise<FileSet> {
    const companions = [];
    for (const c of asFile.companions) {
      const upload = await this.records.getUpload(principal.tenantId, c.uploadId);
      const size = upload && (await this.deps.storage.size(upload.objectKey));
      if (!upload || size === undefined) throw new NotFoundError(`file ${c.uploadId} (${c.name}) was not found; upload it first`);
      if (size > this.deps.limits.IMPORT_MAX_ARCHIVE_BYTES) {
        throw new ValidationError(`file ${c.uploadId} (${c.name}) is ${mb(size)}; an import takes at most ${mb(this.deps.limits.IMPORT_MAX_ARCHIVE_BYTES)}`);
      }
      companions.push({ name: c.name, objectKey: upload.objectKey });
    }
    return { name: asFile.name, companions };
  }

  /**
   * One of the caller's imports. One being deleted is not found, unless the
   * caller shows `Deleting` until it is gone (as Lex's DescribeImport does).
   */
  async describe(principal: Principal, importId: string, shown: { whileDeleting?: boolean } = {}): Promise<ImportRecord> {
    const tenantId = principal.tenantId;
    const record = await this.cache.get(rowKey(tenantId, importId), () => this.records.get(tenantId, importId));
    const botOf = record?.importedBotId ?? record?.botId;
    if (!record || (record.status === 'Deleting' && !shown.whileDeleting) || (principal.botId && botOf !== principal.botId)) {
      throw new NotFoundError(`import ${importId} was not found`);
    }
    return record;
  }

  /** The notifyUrl delivery attempts of one of the caller's imports, oldest first (404 as describe). */
  async deliveries(principal: Principal, importId: string): Promise<DeliveryAttempt[]> {
    await this.describe(principal, importId);
    return this.attempts.list(principal.tenantId, 'import', importId);
  }

  async list(principal: Principal, query: JobListQuery): Promise<{ records: ImportRecord[]; nextToken?: string }> {
    return pageOfJobs(this.pageTokens, 'imports', principal, query, (filter) => this.records.list(principal.tenantId, filter));
  }

  /** Whether one of the caller's imports can be undone (kept a pre-image not yet used). */
  async undoState(principal: Principal, record: ImportRecord): Promise<{ undoable: boolean; undoneAt: Date | null }> {
    return (await this.undos.state(principal.tenantId, record.importId)) ?? { undoable: false, undoneAt: null };
  }

  /** Puts the DRAFT back as it was before the import (409 naming why when the DRAFT changed since, or nothing is kept). */
  async undo(principal: Principal, importId: string): Promise<UndoOutcome> {
    const record = await this.describe(principal, importId);
    if (record.status !== 'Completed') throw new ConflictError(`import ${importId} is ${record.status}; only a completed import can be undone`);
    if (record.dryRun) throw new ConflictError(`import ${importId} is a dry run: it changed nothing`);
    return this.undos.undo(principal.tenantId, importId);
  }

  /**
   * A plan's guard, checked at start (then again by the worker, in the
   * import's transaction): an existing bot's DRAFT must be at that revision;
   * a bot the plan would create (revision 0) must still not exist.
   */
  private async checkRevision(principal: Principal, target: ImportTarget, expected: number): Promise<void> {
    const { bots } = this.deps;
    let botId: string | undefined;
    if (target.kind === 'bot' || target.kind === 'locale') botId = target.botId;
    if (target.kind === 'named') {
      const { rows } = await this.deps.db.query<{ bot_id: string }>('SELECT bot_id FROM bots WHERE tenant_id = $1 AND name = $2', [
        principal.tenantId,
        target.botName,
      ]);
      botId = rows[0]?.bot_id;
    }
    const revision = botId ? await bots.draftRevision(this.deps.db, principal.tenantId, botId) : 0;
    if (revision !== expected) {
      throw new ConflictError(`the DRAFT changed since the plan (revision ${expected} then, ${revision} now); plan the import again`);
    }
  }

  /** Marks the import Deleting; the worker removes its upload, then the record. The imported bot stays. */
  async delete(principal: Principal, importId: string): Promise<ImportRecord> {
    await this.describe(principal, importId);
    const record = await this.records.markDeleting(principal.tenantId, importId);
    if (!record) throw new ConflictError(`import ${importId} is still in progress; delete it once it has finished`);
    this.cache.forget(rowKey(record.tenantId, importId)); // read back at once here; the other replicas hear it from the feed
    await this.deps.queues.enqueueImportDeletion(importId).catch(() => undefined);
    return record;
  }
}

/**
 * Which archive components an import takes: all, or (Kore's importOptions)
 * only the named categories — the locale structure always comes along, as
 * everything else hangs off it.
 */
export function componentsToImport(options: { categories?: string[] }): (c: Component) => boolean {
  const categories = options.categories;
  if (!categories) return () => true;
  const wanted = new Set<string>([...categories, 'structure']);
  return (c) => wanted.has(KIND_CATEGORIES[c.kind]);
}

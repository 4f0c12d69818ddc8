import type { Pool, PoolClient } from 'pg';
import type { ImportMode } from '../bots/draft-import';
import type { ImportPlan } from '../diffs/import-plan';
import type { JobListFilter, ListPosition } from '../jobs/job-listing';
import { JobRecords } from '../jobs/job-records';
import type { ExportStatus, Surface } from '../exports/export-record';

export type ImportStatus = ExportStatus;

/** What an import did, for the status answer. */
export interface ImportSummary {
  format: string;
  added: number;
  replaced: number;
  kept: number;
  botCreated: boolean;
  /** What a person should know about the archive (a secret it kept in clear text…), when anything. */
  notes?: string[];
}

export interface ImportRecord {
  importId: string;
  tenantId: string;
  requestedBy: string;
  surface: Surface;
  uploadId: string;
  objectKey: string;
  /** Target: botName (by name), botId (+ localeId), or neither (a new bot named as in the archive). */
  botName: string | null;
  botId: string | null;
  localeId: string | null;
  mergeStrategy: ImportMode;
  options: Record<string, unknown>;
  /** A dry run: the plan is computed and nothing is changed. */
  dryRun: boolean;
  /** Applying a plan: the DRAFT revision it saw; the import is refused when the DRAFT moved since. */
  expectedRevision: number | null;
  /** A dry run's answer, once Completed. */
  plan: ImportPlan | null;
  hasPassword: boolean;
  /** The archive password, sealed, while the job needs it (see SealedSecrets). */
  sealedPassword: string | null;
  /** Told once when the job ends (native surface), or null. */
  notifyUrl: string | null;
  status: ImportStatus;
  progress: number;
  failureReasons: string[];
  summary: ImportSummary | null;
  importedBotId: string | null;
  importedBotName: string | null;
  createdAt: Date;
  updatedAt: Date;
  expiresAt: Date;
}

interface Row {
  import_id: string;
  tenant_id: string;
  requested_by: string;
  surface: Surface;
  upload_id: string;
  object_key: string;
  bot_name: string | null;
  bot_id: string | null;
  locale_id: string | null;
  merge_strategy: ImportMode;
  options: Record<string, unknown>;
  dry_run: boolean;
  expected_revision: string | null;
  plan: ImportPlan | null;
  has_password: boolean;
  sealed_password: string | null;
  notify_url: string | null;
  status: ImportStatus;
  progress: number;
  failure_reasons: string[];
  summary: ImportSummary | null;
  imported_bot_id: string | null;
  imported_bot_name: string | null;
  created_at: Date;
  updated_at: Date;
  expires_at: Date;
}

const toImportRecord = (r: Row): ImportRecord => ({
  importId: r.import_id,
  tenantId: r.tenant_id,
  requestedBy: r.requested_by,
  surface: r.surface,
  uploadId: r.upload_id,
  objectKey: r.object_key,
  botName: r.bot_name,
  botId: r.bot_id,
  localeId: r.locale_id,
  mergeStrategy: r.merge_strategy,
  options: r.options,
  dryRun: r.dry_run,
  expectedRevision: r.expected_revision === null ? null : Number(r.expected_revision),
  plan: r.plan,
  hasPassword: r.has_password,
  sealedPassword: r.sealed_password,
  notifyUrl: r.notify_url,
  status: r.status,
  progress: r.progress,
  failureReasons: r.failure_reasons,
  summary: r.summary,
  importedBotId: r.imported_bot_id,
  importedBotName: r.imported_bot_name,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  expiresAt: r.expires_at,
});

export interface Upload {
  uploadId: string;
  tenantId: string;
  objectKey: string;
}

export type NewImport = Pick<
  ImportRecord,
  | 'importId'
  | 'tenantId'
  | 'requestedBy'
  | 'surface'
  | 'uploadId'
  | 'objectKey'
  | 'botName'
  | 'botId'
  | 'localeId'
  | 'mergeStrategy'
  | 'options'
  | 'dryRun'
  | 'expectedRevision'
  | 'hasPassword'
  | 'sealedPassword'
  | 'notifyUrl'
>;

/** SQL for uploads and import job records. Every read a caller can reach is scoped by tenant. */
export class ImportRecords extends JobRecords<ImportRecord, Row> {
  constructor(db: Pool) {
    super(db, 'import_jobs', 'import_id', toImportRecord);
  }

  async insertUpload(u: Upload): Promise<void> {
    await this.db.query('INSERT INTO uploads (upload_id, tenant_id, object_key) VALUES ($1, $2, $3)', [u.uploadId, u.tenantId, u.objectKey]);
  }

  async getUpload(tenantId: string, uploadId: string): Promise<Upload | undefined> {
    const { rows } = await this.db.query<{ upload_id: string; tenant_id: string; object_key: string }>(
      'SELECT upload_id, tenant_id, object_key FROM uploads WHERE tenant_id = $1 AND upload_id = $2 AND expires_at > now()',
      [tenantId, uploadId],
    );
    return rows[0] && { uploadId: rows[0].upload_id, tenantId: rows[0].tenant_id, objectKey: rows[0].object_key };
  }

  /** Inserts the job; undefined when an import of that id exists already (ids are the upload's, for Lex). */
  async insert(r: NewImport): Promise<ImportRecord | undefined> {
    const { rows } = await this.db.query<Row>(
      `INSERT INTO import_jobs (import_id, tenant_id, requested_by, surface, upload_id, object_key, bot_name, bot_id, locale_id, merge_strategy, options, has_password, sealed_password, notify_url, dry_run, expected_revision, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, 'InProgress') ON CONFLICT (import_id) DO NOTHING RETURNING *`,
      [
        r.importId,
        r.tenantId,
        r.requestedBy,
        r.surface,
        r.uploadId,
        r.objectKey,
        r.botName,
        r.botId,
        r.localeId,
        r.mergeStrategy,
        r.options,
        r.hasPassword,
        r.sealedPassword,
        r.notifyUrl,
        r.dryRun,
        r.expectedRevision,
      ],
    );
    return rows[0] && toImportRecord(rows[0]);
  }

  list(tenantId: string, f: JobListFilter): Promise<{ records: ImportRecord[]; last?: ListPosition }> {
    return this.listPage(tenantId, f, { botId: 'coalesce(imported_bot_id, bot_id)' });
  }

  /** Completes the job inside the import's own transaction, so the draft and the record change together. */
  async completeIn(client: PoolClient, importId: string, result: { botId: string; botName: string; summary: ImportSummary }): Promise<boolean> {
    const { rowCount } = await client.query(
      `UPDATE import_jobs SET status = 'Completed', progress = 100, imported_bot_id = $2, imported_bot_name = $3, summary = $4, sealed_password = NULL, updated_at = now()
        WHERE import_id = $1 AND status = 'InProgress'`,
      [importId, result.botId, result.botName, result.summary],
    );
    return rowCount === 1;
  }

  /** A dry run's end: its plan kept on the record, nothing else changed. */
  async completePlan(importId: string, plan: ImportPlan): Promise<boolean> {
    const { rowCount } = await this.db.query(
      `UPDATE import_jobs SET status = 'Completed', progress = 100, plan = $2, imported_bot_id = $3, imported_bot_name = $4, sealed_password = NULL, updated_at = now()
        WHERE import_id = $1 AND status = 'InProgress'`,
      [importId, plan, plan.target.botId, plan.target.botName],
    );
    return rowCount === 1;
  }

  /** Removes the record and its upload's row (the caller has deleted the object). */
  async remove(importId: string, uploadId: string): Promise<void> {
    await this.db.query('WITH gone AS (DELETE FROM import_jobs WHERE import_id = $1) DELETE FROM uploads WHERE upload_id = $2', [importId, uploadId]);
  }

  /** Uploads past their seven days that no import record holds (those go with their import). */
  async expiredUploads(limit: number): Promise<Upload[]> {
    const { rows } = await this.db.query<{ upload_id: string; tenant_id: string; object_key: string }>(
      `SELECT upload_id, tenant_id, object_key FROM uploads u WHERE expires_at < now()
          AND NOT EXISTS (SELECT 1 FROM import_jobs i WHERE i.upload_id = u.upload_id) ORDER BY expires_at LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({ uploadId: r.upload_id, tenantId: r.tenant_id, objectKey: r.object_key }));
  }

  async countExpiredUploads(): Promise<number> {
    const { rows } = await this.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM uploads u WHERE expires_at < now() AND NOT EXISTS (SELECT 1 FROM import_jobs i WHERE i.upload_id = u.upload_id)`,
    );
    return rows[0].n;
  }

  async removeUpload(uploadId: string): Promise<void> {
    await this.db.query('DELETE FROM uploads WHERE upload_id = $1', [uploadId]);
  }
}

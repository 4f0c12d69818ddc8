import type { Pool } from 'pg';
import type { JobListFilter, ListPosition } from '../jobs/job-listing';
import { JobRecords } from '../jobs/job-records';
import type { ExportOptions } from './selection';

export type { ExportOptions } from './selection';

/** Every job's states: InProgress → Completed | Failed → Deleting → gone. */
export const JOB_STATUSES = ['InProgress', 'Completed', 'Failed', 'Deleting'] as const;
export type ExportStatus = (typeof JOB_STATUSES)[number];
export type Surface = 'lex' | 'kore' | 'eddi' | 'native';
export const FILE_FORMATS = ['BotportJson', 'LexJson', 'EddiZip', 'KoreJson'] as const;
export type FileFormat = (typeof FILE_FORMATS)[number];

export interface ExportRecord {
  exportId: string;
  tenantId: string;
  requestedBy: string;
  surface: Surface;
  botId: string;
  botName: string;
  botVersion: string;
  localeId: string | null;
  fileFormat: FileFormat;
  options: ExportOptions;
  hasPassword: boolean;
  /** The archive password, sealed, while the job needs it (see SealedSecrets). */
  sealedPassword: string | null;
  /** Told once when the job ends (native surface), or null. */
  notifyUrl: string | null;
  status: ExportStatus;
  progress: number;
  failureReasons: string[];
  notes: string[];
  objectKey: string | null;
  sizeBytes: number | null;
  sha256: string | null;
  /** What decided the archive's bytes (see archiveKey), when it may be copied for a repeat export. */
  archiveKey: string | null;
  createdAt: Date;
  updatedAt: Date;
  expiresAt: Date;
}

interface Row {
  export_id: string;
  tenant_id: string;
  requested_by: string;
  surface: Surface;
  bot_id: string;
  bot_name: string;
  bot_version: string;
  locale_id: string | null;
  file_format: FileFormat;
  options: ExportOptions;
  has_password: boolean;
  sealed_password: string | null;
  notify_url: string | null;
  status: ExportStatus;
  progress: number;
  failure_reasons: string[];
  notes: string[];
  object_key: string | null;
  size_bytes: string | null;
  sha256: string | null;
  archive_key: string | null;
  created_at: Date;
  updated_at: Date;
  expires_at: Date;
}

export const toExportRecord = (r: Row): ExportRecord => ({
  exportId: r.export_id,
  tenantId: r.tenant_id,
  requestedBy: r.requested_by,
  surface: r.surface,
  botId: r.bot_id,
  botName: r.bot_name,
  botVersion: r.bot_version,
  localeId: r.locale_id,
  fileFormat: r.file_format,
  options: r.options,
  hasPassword: r.has_password,
  sealedPassword: r.sealed_password,
  notifyUrl: r.notify_url,
  status: r.status,
  progress: r.progress,
  failureReasons: r.failure_reasons,
  notes: r.notes,
  objectKey: r.object_key,
  sizeBytes: r.size_bytes === null ? null : Number(r.size_bytes),
  sha256: r.sha256,
  archiveKey: r.archive_key,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  expiresAt: r.expires_at,
});

/** SQL for export job records. Every read that a caller can reach is scoped by tenant. */
export class ExportRecords extends JobRecords<ExportRecord, Row> {
  constructor(db: Pool) {
    super(db, 'export_jobs', 'export_id', toExportRecord);
  }

  async insert(
    r: Omit<
      ExportRecord,
      'status' | 'progress' | 'failureReasons' | 'notes' | 'objectKey' | 'sizeBytes' | 'sha256' | 'archiveKey' | 'createdAt' | 'updatedAt' | 'expiresAt'
    >,
    dedupeKey: string,
  ): Promise<ExportRecord> {
    const { rows } = await this.db.query<Row>(
      `INSERT INTO export_jobs (export_id, tenant_id, requested_by, surface, bot_id, bot_name, bot_version, locale_id, file_format, options, dedupe_key, has_password, sealed_password, notify_url, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 'InProgress') RETURNING *`,
      [
        r.exportId,
        r.tenantId,
        r.requestedBy,
        r.surface,
        r.botId,
        r.botName,
        r.botVersion,
        r.localeId,
        r.fileFormat,
        r.options,
        dedupeKey,
        r.hasPassword,
        r.sealedPassword,
        r.notifyUrl,
      ],
    );
    return toExportRecord(rows[0]);
  }

  async findRunning(tenantId: string, dedupeKey: string): Promise<ExportRecord | undefined> {
    const { rows } = await this.db.query<Row>(`SELECT * FROM export_jobs WHERE tenant_id = $1 AND dedupe_key = $2 AND status = 'InProgress'`, [
      tenantId,
      dedupeKey,
    ]);
    return rows[0] && toExportRecord(rows[0]);
  }

  list(tenantId: string, f: JobListFilter): Promise<{ records: ExportRecord[]; last?: ListPosition }> {
    return this.listPage(tenantId, f, { botId: 'bot_id', botVersion: 'bot_version' });
  }

  /** The bot's most recently created export, Deleting ones aside. */
  async latestForBot(tenantId: string, botId: string): Promise<ExportRecord | undefined> {
    const { rows } = await this.db.query<Row>(
      `SELECT * FROM export_jobs WHERE tenant_id = $1 AND bot_id = $2 AND status <> 'Deleting'
        ORDER BY created_at DESC, export_id DESC LIMIT 1`,
      [tenantId, botId],
    );
    return rows[0] && toExportRecord(rows[0]);
  }

  /** Completed only from InProgress: a record deleted meanwhile stays deleted. */
  async complete(
    exportId: string,
    result: { objectKey: string; sizeBytes: number; sha256: string; notes: string[]; archiveKey: string | null },
  ): Promise<boolean> {
    const { rowCount } = await this.db.query(
      `UPDATE export_jobs SET status = 'Completed', progress = 100, object_key = $2, size_bytes = $3, sha256 = $4, notes = $5, archive_key = $6,
              sealed_password = NULL, updated_at = now()
        WHERE export_id = $1 AND status = 'InProgress'`,
      [exportId, result.objectKey, result.sizeBytes, result.sha256, JSON.stringify(result.notes), result.archiveKey],
    );
    return rowCount === 1;
  }

  /** The tenant's most recent Completed export whose archive had this key: its archive is the one a repeat would build. */
  async withArchiveKey(tenantId: string, archiveKey: string): Promise<ExportRecord | undefined> {
    const { rows } = await this.db.query<Row>(
      `SELECT * FROM export_jobs WHERE tenant_id = $1 AND archive_key = $2 AND status = 'Completed' AND object_key IS NOT NULL
        ORDER BY updated_at DESC LIMIT 1`,
      [tenantId, archiveKey],
    );
    return rows[0] && toExportRecord(rows[0]);
  }

  /**
   * Sets a finished export to be built again under a new password (sealed) or
   * none — UpdateExport. Undefined when it is not finished (or not the tenant's).
   */
  async reprotect(tenantId: string, exportId: string, sealedPassword: string | null): Promise<ExportRecord | undefined> {
    const { rows } = await this.db.query<Row>(
      `UPDATE export_jobs SET status = 'InProgress', progress = 0, failure_reasons = '[]', notes = '[]', archive_key = NULL,
              has_password = $3::text IS NOT NULL, sealed_password = $3, updated_at = now()
        WHERE tenant_id = $1 AND export_id = $2 AND status IN ('Completed', 'Failed') RETURNING *`,
      [tenantId, exportId, sealedPassword],
    );
    return rows[0] && toExportRecord(rows[0]);
  }

  async remove(exportId: string): Promise<void> {
    await this.db.query('DELETE FROM export_jobs WHERE export_id = $1', [exportId]);
  }
}

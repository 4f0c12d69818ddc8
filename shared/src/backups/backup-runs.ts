import type { Pool } from 'pg';
import type { BackupSeries } from './backup-policy';
import { afterCursor, type Page, pageOf } from './listing';

export type RunStatus = 'InProgress' | 'Completed' | 'Unchanged' | 'Failed';

/** What a run did for one bot and series: wrote an archive, found it unchanged, skipped it (never published), or failed. */
export interface RunItem {
  botId: string;
  botName: string;
  series: BackupSeries;
  botVersion: string | null;
  outcome: 'written' | 'unchanged' | 'skipped' | 'failed';
  /** The archive written, or the one an unchanged run matched. */
  archiveId?: string;
  sha256?: string;
  sizeBytes?: number;
  reason?: string;
}

export interface BackupRun {
  runId: string;
  tenantId: string;
  policyId: string;
  trigger: 'schedule' | 'manual';
  /** The schedule's slot a scheduled run stands for; null for a run started by hand. */
  slot: Date | null;
  status: RunStatus;
  items: RunItem[];
  failureReasons: string[];
  createdAt: Date;
  updatedAt: Date;
}

interface RunRow {
  run_id: string;
  tenant_id: string;
  policy_id: string;
  trigger: BackupRun['trigger'];
  slot: Date | null;
  status: RunStatus;
  items: RunItem[];
  failure_reasons: string[];
  created_at: Date;
  updated_at: Date;
}

const toRun = (r: RunRow): BackupRun => ({
  runId: r.run_id,
  tenantId: r.tenant_id,
  policyId: r.policy_id,
  trigger: r.trigger,
  slot: r.slot,
  status: r.status,
  items: r.items,
  failureReasons: r.failure_reasons,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** A kept archive of a policy. */
export interface BackupArchive {
  archiveId: string;
  tenantId: string;
  policyId: string;
  runId: string;
  botId: string;
  botName: string;
  series: BackupSeries;
  botVersion: string;
  contentSha256: string;
  sha256: string;
  sizeBytes: number;
  objectKey: string;
  createdAt: Date;
}

interface ArchiveRow {
  archive_id: string;
  tenant_id: string;
  policy_id: string;
  run_id: string;
  bot_id: string;
  bot_name: string;
  series: BackupSeries;
  bot_version: string;
  content_sha256: string;
  sha256: string;
  size_bytes: string;
  object_key: string;
  created_at: Date;
}

const toArchive = (r: ArchiveRow): BackupArchive => ({
  archiveId: r.archive_id,
  tenantId: r.tenant_id,
  policyId: r.policy_id,
  runId: r.run_id,
  botId: r.bot_id,
  botName: r.bot_name,
  series: r.series,
  botVersion: r.bot_version,
  contentSha256: r.content_sha256,
  sha256: r.sha256,
  sizeBytes: Number(r.size_bytes),
  objectKey: r.object_key,
  createdAt: r.created_at,
});

/** How long run records are listed: the seven-day history of every job. The archives stay as retention says. */
const RUN_HISTORY_DAYS = 7;

/** SQL for backup runs and the archives they keep. Every statement a caller can reach is scoped by tenant. */
export class BackupRuns {
  constructor(private readonly db: Pool) {}

  /** A run started by hand. */
  async insertManual(tenantId: string, policyId: string, runId: string): Promise<BackupRun> {
    const { rows } = await this.db.query<RunRow>(
      `INSERT INTO backup_runs (run_id, tenant_id, policy_id, trigger, status) VALUES ($1, $2, $3, 'manual', 'InProgress') RETURNING *`,
      [runId, tenantId, policyId],
    );
    return toRun(rows[0]);
  }

  /** The run of one schedule slot; undefined when that slot has its run already (another worker, a repeated job): one run per slot. */
  async insertScheduled(tenantId: string, policyId: string, runId: string, slot: Date): Promise<BackupRun | undefined> {
    const { rows } = await this.db.query<RunRow>(
      `INSERT INTO backup_runs (run_id, tenant_id, policy_id, trigger, slot, status) VALUES ($1, $2, $3, 'schedule', $4, 'InProgress')
       ON CONFLICT (policy_id, slot) DO NOTHING RETURNING *`,
      [runId, tenantId, policyId, slot],
    );
    return rows[0] && toRun(rows[0]);
  }

  async get(tenantId: string, policyId: string, runId: string): Promise<BackupRun | undefined> {
    const { rows } = await this.db.query<RunRow>('SELECT * FROM backup_runs WHERE tenant_id = $1 AND policy_id = $2 AND run_id = $3', [
      tenantId,
      policyId,
      runId,
    ]);
    return rows[0] && toRun(rows[0]);
  }

  async getById(runId: string): Promise<BackupRun | undefined> {
    const { rows } = await this.db.query<RunRow>('SELECT * FROM backup_runs WHERE run_id = $1', [runId]);
    return rows[0] && toRun(rows[0]);
  }

  async list(tenantId: string, policyId: string, limit: number, cursor?: string): Promise<Page<BackupRun>> {
    const after = afterCursor(cursor);
    const { rows } = await this.db.query<RunRow & { created_us: string }>(
      `SELECT *, (extract(epoch FROM created_at) * 1000000)::bigint::text AS created_us FROM backup_runs
        WHERE tenant_id = $1 AND policy_id = $2 AND ($3::bigint IS NULL OR ((extract(epoch FROM created_at) * 1000000)::bigint, run_id) < ($3::bigint, $4))
        ORDER BY created_at DESC, run_id DESC LIMIT $5`,
      [tenantId, policyId, after?.us ?? null, after?.id ?? '', limit + 1],
    );
    return pageOf(rows, limit, toRun, (r) => ({ us: r.created_us, id: r.run_id }));
  }

  /** Finished only from InProgress, so a run settled twice keeps its first outcome. */
  async finish(runId: string, status: Exclude<RunStatus, 'InProgress'>, items: RunItem[], failureReasons: string[]): Promise<boolean> {
    const { rowCount } = await this.db.query(
      `UPDATE backup_runs SET status = $2, items = $3, failure_reasons = $4, updated_at = now() WHERE run_id = $1 AND status = 'InProgress'`,
      [runId, status, JSON.stringify(items), JSON.stringify(failureReasons)],
    );
    return rowCount === 1;
  }

  /** Runs still InProgress and untouched for `olderThanMs` (the reconciler's: their queue entry may be lost). */
  async unfinished(olderThanMs: number, limit: number): Promise<BackupRun[]> {
    const { rows } = await this.db.query<RunRow>(
      `SELECT * FROM backup_runs WHERE status = 'InProgress' AND updated_at < now() - ($1 || ' milliseconds')::interval ORDER BY updated_at LIMIT $2`,
      [String(olderThanMs), limit],
    );
    return rows.map(toRun);
  }

  /** Run records past the seven-day history, a bounded batch at a time. */
  async sweep(limit: number): Promise<number> {
    const { rowCount } = await this.db.query(
      `DELETE FROM backup_runs WHERE run_id IN (SELECT run_id FROM backup_runs WHERE status <> 'InProgress' AND created_at < now() - interval '${RUN_HISTORY_DAYS} days' LIMIT $1)`,
      [limit],
    );
    return rowCount ?? 0;
  }

  async insertArchive(a: Omit<BackupArchive, 'createdAt'>): Promise<BackupArchive> {
    const { rows } = await this.db.query<ArchiveRow>(
      `INSERT INTO backup_archives (archive_id, tenant_id, policy_id, run_id, bot_id, bot_name, series, bot_version, content_sha256, sha256, size_bytes, object_key)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING *`,
      [a.archiveId, a.tenantId, a.policyId, a.runId, a.botId, a.botName, a.series, a.botVersion, a.contentSha256, a.sha256, a.sizeBytes, a.objectKey],
    );
    return toArchive(rows[0]);
  }

  /** The newest archive of a series: what "unchanged" compares with. */
  async latestArchive(policyId: string, botId: string, series: BackupSeries): Promise<BackupArchive | undefined> {
    const { rows } = await this.db.query<ArchiveRow>(
      `SELECT * FROM backup_archives WHERE policy_id = $1 AND bot_id = $2 AND series = $3 ORDER BY created_at DESC, archive_id DESC LIMIT 1`,
      [policyId, botId, series],
    );
    return rows[0] && toArchive(rows[0]);
  }

  async getArchive(tenantId: string, policyId: string, archiveId: string): Promise<BackupArchive | undefined> {
    const { rows } = await this.db.query<ArchiveRow>('SELECT * FROM backup_archives WHERE tenant_id = $1 AND policy_id = $2 AND archive_id = $3', [
      tenantId,
      policyId,
      archiveId,
    ]);
    return rows[0] && toArchive(rows[0]);
  }

  /** Any archive of the tenant by id (a diff side `backup:ID`). */
  async findArchive(tenantId: string, archiveId: string): Promise<BackupArchive | undefined> {
    const { rows } = await this.db.query<ArchiveRow>('SELECT * FROM backup_archives WHERE tenant_id = $1 AND archive_id = $2', [tenantId, archiveId]);
    return rows[0] && toArchive(rows[0]);
  }

  /** A policy's kept archives, newest first (bounded: retention keeps the list short, and the newest matter). */
  async archives(tenantId: string, policyId: string, filter: { botId?: string; limit: number }): Promise<BackupArchive[]> {
    const { rows } = await this.db.query<ArchiveRow>(
      `SELECT * FROM backup_archives WHERE tenant_id = $1 AND policy_id = $2 AND ($3::text IS NULL OR bot_id = $3)
        ORDER BY created_at DESC, archive_id DESC LIMIT $4`,
      [tenantId, policyId, filter.botId ?? null, filter.limit],
    );
    return rows.map(toArchive);
  }

  /**
   * The archives retention lets go in one series: beyond the newest
   * `keepLast`, and older than `keepDays` — but never the newest one, which
   * stands for the bot as it is (an unchanged run writes nothing, so after a
   * quiet month the only archive is also the oldest).
   */
  async expiredArchives(policyId: string, botId: string, series: BackupSeries, keepLast: number | null, keepDays: number | null): Promise<BackupArchive[]> {
    if (keepLast === null && keepDays === null) return [];
    const { rows } = await this.db.query<ArchiveRow>(
      `SELECT * FROM (
         SELECT *, row_number() OVER (ORDER BY created_at DESC, archive_id DESC) AS rank FROM backup_archives
          WHERE policy_id = $1 AND bot_id = $2 AND series = $3) a
        WHERE rank > 1 AND (($4::int IS NOT NULL AND rank > $4) OR ($5::int IS NOT NULL AND created_at < now() - make_interval(days => $5)))
        ORDER BY created_at`,
      [policyId, botId, series, keepLast, keepDays],
    );
    return rows.map(toArchive);
  }

  async removeArchive(archiveId: string): Promise<void> {
    await this.db.query('DELETE FROM backup_archives WHERE archive_id = $1', [archiveId]);
  }
}

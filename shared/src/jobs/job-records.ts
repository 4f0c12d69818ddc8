import type { Pool } from 'pg';
import { type JobListFilter, listJobs, type ListPosition } from './job-listing';

type Table = 'export_jobs' | 'import_jobs';

/**
 * The SQL export and import job records share: reads scoped by tenant, and
 * the status moves every job makes (InProgress → Completed | Failed →
 * Deleting → gone). Each subclass adds what only its jobs have.
 */
export abstract class JobRecords<R, Row extends object> {
  protected constructor(
    protected readonly db: Pool,
    private readonly table: Table,
    private readonly idColumn: 'export_id' | 'import_id',
    private readonly toRecord: (row: Row) => R,
  ) {}

  async get(tenantId: string, id: string): Promise<R | undefined> {
    const { rows } = await this.db.query<Row>(`SELECT * FROM ${this.table} WHERE tenant_id = $1 AND ${this.idColumn} = $2`, [tenantId, id]);
    return rows[0] && this.toRecord(rows[0]);
  }

  /** The tenant's records of these ids (those that exist). */
  async getMany(tenantId: string, ids: string[]): Promise<R[]> {
    const { rows } = await this.db.query<Row>(`SELECT * FROM ${this.table} WHERE tenant_id = $1 AND ${this.idColumn} = ANY($2)`, [tenantId, ids]);
    return rows.map(this.toRecord);
  }

  /** For the worker, which knows only the job id. */
  async getById(id: string): Promise<R | undefined> {
    const { rows } = await this.db.query<Row>(`SELECT * FROM ${this.table} WHERE ${this.idColumn} = $1`, [id]);
    return rows[0] && this.toRecord(rows[0]);
  }

  /** The tenant's records in their seven-day history, counted by status, and the ids of those InProgress. */
  async tally(tenantId: string): Promise<{ byStatus: Record<string, number>; inProgress: string[] }> {
    const { rows } = await this.db.query<{ status: string; n: number; ids: string[] }>(
      `SELECT status, count(*)::int AS n, (array_agg(${this.idColumn}) FILTER (WHERE status = 'InProgress'))[1:1000] AS ids
         FROM ${this.table} WHERE tenant_id = $1 GROUP BY status`,
      [tenantId],
    );
    return { byStatus: Object.fromEntries(rows.map((r) => [r.status, r.n])), inProgress: rows.flatMap((r) => r.ids ?? []) };
  }

  async countUnfinished(tenantId: string): Promise<number> {
    const { rows } = await this.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${this.table} WHERE tenant_id = $1 AND status = 'InProgress'`, [
      tenantId,
    ]);
    return rows[0].n;
  }

  protected async listPage(
    tenantId: string,
    f: JobListFilter,
    columns: { botId: string; botVersion?: string },
  ): Promise<{ records: R[]; last?: ListPosition }> {
    const { rows, last } = await listJobs<Row>(this.db, this.table, this.idColumn, tenantId, f, columns);
    return { records: rows.map(this.toRecord), last };
  }

  async setProgress(id: string, progress: number): Promise<void> {
    await this.db.query(`UPDATE ${this.table} SET progress = $2, updated_at = now() WHERE ${this.idColumn} = $1 AND status = 'InProgress'`, [id, progress]);
  }

  /** Failed only from InProgress: a record deleted meanwhile stays deleted. A sealed password goes with the job. */
  async fail(id: string, reasons: string[]): Promise<void> {
    await this.db.query(
      `UPDATE ${this.table} SET status = 'Failed', failure_reasons = $2, sealed_password = NULL, updated_at = now()
        WHERE ${this.idColumn} = $1 AND status = 'InProgress'`,
      [id, JSON.stringify(reasons)],
    );
  }

  /**
   * Runs a Failed job again from the start (an operator's retry). Not one with
   * a password: that was dropped when it failed, and is never kept longer.
   */
  async restart(tenantId: string, id: string): Promise<R | undefined> {
    const { rows } = await this.db.query<Row>(
      `UPDATE ${this.table} SET status = 'InProgress', progress = 0, failure_reasons = '[]', updated_at = now()
        WHERE tenant_id = $1 AND ${this.idColumn} = $2 AND status = 'Failed' AND NOT has_password RETURNING *`,
      [tenantId, id],
    );
    return rows[0] && this.toRecord(rows[0]);
  }

  /** Marks a finished job Deleting; undefined when it is not the tenant's or is still running. */
  async markDeleting(tenantId: string, id: string): Promise<R | undefined> {
    const { rows } = await this.db.query<Row>(
      `UPDATE ${this.table} SET status = 'Deleting', updated_at = now()
        WHERE tenant_id = $1 AND ${this.idColumn} = $2 AND status IN ('Completed', 'Failed', 'Deleting') RETURNING *`,
      [tenantId, id],
    );
    return rows[0] && this.toRecord(rows[0]);
  }

  /** Unfinished records not touched for `olderThanMs`: candidates for the reconciler. */
  async unfinished(olderThanMs: number, limit: number): Promise<R[]> {
    const { rows } = await this.db.query<Row>(
      `SELECT * FROM ${this.table} WHERE status IN ('InProgress', 'Deleting') AND updated_at < now() - ($1 || ' milliseconds')::interval
        ORDER BY updated_at LIMIT $2`,
      [String(olderThanMs), limit],
    );
    return rows.map(this.toRecord);
  }

  /** How many records are past their seven days (the sweeper's dry run). */
  async countExpired(): Promise<number> {
    const { rows } = await this.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${this.table} WHERE expires_at < now()`);
    return rows[0].n;
  }

  /** Expired records, oldest first, in bounded batches for the sweeper. */
  async expired(limit: number): Promise<R[]> {
    const { rows } = await this.db.query<Row>(`SELECT * FROM ${this.table} WHERE expires_at < now() ORDER BY expires_at LIMIT $1`, [limit]);
    return rows.map(this.toRecord);
  }
}

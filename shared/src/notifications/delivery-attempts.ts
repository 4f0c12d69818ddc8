import type { Pool } from 'pg';
import { FOREIGN_KEY_VIOLATION } from '../store/db';

export type JobKind = 'export' | 'import' | 'backup';

/** One try at a notifyUrl, as its job's owner sees it. */
export interface DeliveryAttempt {
  deliveryId: string;
  kind: JobKind;
  jobId: string;
  tenantId: string;
  attempt: number;
  attemptedAt: Date;
  outcome: 'delivered' | 'failed' | 'refused';
  statusCode: number | null;
  error: string | null;
  /** When the queue tries again; null once the delivery is settled. */
  nextRetryAt: Date | null;
}

interface Row {
  delivery_id: string;
  tenant_id: string;
  export_id: string | null;
  import_id: string | null;
  backup_run_id: string | null;
  attempt: number;
  attempted_at: Date;
  outcome: DeliveryAttempt['outcome'];
  status_code: number | null;
  error: string | null;
  next_retry_at: Date | null;
}

const toAttempt = (r: Row): DeliveryAttempt => ({
  deliveryId: r.delivery_id,
  kind: r.export_id ? 'export' : r.import_id ? 'import' : 'backup',
  jobId: (r.export_id ?? r.import_id ?? r.backup_run_id) as string,
  tenantId: r.tenant_id,
  attempt: r.attempt,
  attemptedAt: r.attempted_at,
  outcome: r.outcome,
  statusCode: r.status_code,
  error: r.error,
  nextRetryAt: r.next_retry_at,
});

const JOB_COLUMN = { export: 'export_id', import: 'import_id', backup: 'backup_run_id' } as const;
/** A job has at most JOB_ATTEMPTS tries per delivery and a delivery per run; this bounds a listing all the same. */
const MAX_LISTED = 200;
const MAX_ERROR_LENGTH = 500;

/** SQL for notification_attempts. Reads are scoped by tenant; rows go with their job (ON DELETE CASCADE). */
export class DeliveryAttempts {
  constructor(private readonly db: Pool) {}

  /** Keeps one attempt; a job deleted meanwhile has nobody left to show it to, so that is not an error. */
  async record(a: DeliveryAttempt): Promise<void> {
    try {
      await this.db.query(
        `INSERT INTO notification_attempts (delivery_id, tenant_id, ${JOB_COLUMN[a.kind]}, attempt, attempted_at, outcome, status_code, error, next_retry_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [a.deliveryId, a.tenantId, a.jobId, a.attempt, a.attemptedAt, a.outcome, a.statusCode, a.error?.slice(0, MAX_ERROR_LENGTH) ?? null, a.nextRetryAt],
      );
    } catch (err) {
      if ((err as { code?: string }).code !== FOREIGN_KEY_VIOLATION) throw err;
    }
  }

  /** The tenant's job's attempts, oldest first. */
  async list(tenantId: string, kind: JobKind, jobId: string): Promise<DeliveryAttempt[]> {
    const { rows } = await this.db.query<Row>(
      `SELECT * FROM notification_attempts WHERE tenant_id = $1 AND ${JOB_COLUMN[kind]} = $2 ORDER BY attempted_at, attempt_id LIMIT $3`,
      [tenantId, jobId, MAX_LISTED],
    );
    return rows.map(toAttempt);
  }
}

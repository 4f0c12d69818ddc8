import type { Pool } from 'pg';
import type { ExportOptions, FileFormat } from '../exports/export-record';
import { afterCursor, type Page, pageOf } from './listing';

/** What a policy backs up of each bot: its DRAFT, its highest published version, or both. */
export const BACKUP_SERIES = ['DRAFT', 'published'] as const;
export type BackupSeries = (typeof BACKUP_SERIES)[number];

/** The tenant's own S3 bucket (any S3 API). The secret key is never here: it is sealed beside it. */
export interface S3Destination {
  type: 's3';
  endpoint: string;
  bucket: string;
  /** Prepended to every key, e.g. `botport/`; '' for the bucket's root. */
  prefix: string;
  region: string;
  forcePathStyle: boolean;
  accessKeyId: string;
}

export type Destination = { type: 'botport' } | S3Destination;

export interface BackupPolicy {
  policyId: string;
  tenantId: string;
  name: string;
  /** null: every bot of the tenant. */
  botId: string | null;
  schedule: string;
  timezone: string;
  versions: BackupSeries[];
  fileFormat: FileFormat;
  options: ExportOptions;
  keepLast: number | null;
  keepDays: number | null;
  hasPassword: boolean;
  sealedPassword: string | null;
  destination: Destination;
  sealedSecretKey: string | null;
  notifyUrl: string | null;
  enabled: boolean;
  createdAt: Date;
  updatedAt: Date;
}

interface Row {
  policy_id: string;
  tenant_id: string;
  name: string;
  bot_id: string | null;
  schedule: string;
  timezone: string;
  versions: BackupSeries[];
  file_format: FileFormat;
  options: ExportOptions;
  keep_last: number | null;
  keep_days: number | null;
  has_password: boolean;
  sealed_password: string | null;
  destination: Destination;
  sealed_secret_key: string | null;
  notify_url: string | null;
  enabled: boolean;
  created_at: Date;
  updated_at: Date;
}

const toPolicy = (r: Row): BackupPolicy => ({
  policyId: r.policy_id,
  tenantId: r.tenant_id,
  name: r.name,
  botId: r.bot_id,
  schedule: r.schedule,
  timezone: r.timezone,
  versions: r.versions,
  fileFormat: r.file_format,
  options: r.options,
  keepLast: r.keep_last,
  keepDays: r.keep_days,
  hasPassword: r.has_password,
  sealedPassword: r.sealed_password,
  destination: r.destination,
  sealedSecretKey: r.sealed_secret_key,
  notifyUrl: r.notify_url,
  enabled: r.enabled,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export type PolicyFields = Omit<BackupPolicy, 'createdAt' | 'updatedAt'>;

/** SQL for backup policies. Every statement a caller can reach is scoped by tenant. */
export class BackupPolicies {
  constructor(private readonly db: Pool) {}

  async insert(p: PolicyFields): Promise<BackupPolicy> {
    const { rows } = await this.db.query<Row>(
      `INSERT INTO backup_policies (policy_id, tenant_id, name, bot_id, schedule, timezone, versions, file_format, options, keep_last, keep_days,
                                    has_password, sealed_password, destination, sealed_secret_key, notify_url, enabled)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING *`,
      this.values(p),
    );
    return toPolicy(rows[0]);
  }

  async update(p: PolicyFields): Promise<BackupPolicy | undefined> {
    const { rows } = await this.db.query<Row>(
      `UPDATE backup_policies SET name = $3, bot_id = $4, schedule = $5, timezone = $6, versions = $7, file_format = $8, options = $9, keep_last = $10,
              keep_days = $11, has_password = $12, sealed_password = $13, destination = $14, sealed_secret_key = $15, notify_url = $16, enabled = $17,
              updated_at = now()
        WHERE policy_id = $1 AND tenant_id = $2 RETURNING *`,
      this.values(p),
    );
    return rows[0] && toPolicy(rows[0]);
  }

  private values(p: PolicyFields): unknown[] {
    return [
      p.policyId,
      p.tenantId,
      p.name,
      p.botId,
      p.schedule,
      p.timezone,
      JSON.stringify(p.versions),
      p.fileFormat,
      p.options,
      p.keepLast,
      p.keepDays,
      p.hasPassword,
      p.sealedPassword,
      p.destination,
      p.sealedSecretKey,
      p.notifyUrl,
      p.enabled,
    ];
  }

  async get(tenantId: string, policyId: string): Promise<BackupPolicy | undefined> {
    const { rows } = await this.db.query<Row>('SELECT * FROM backup_policies WHERE tenant_id = $1 AND policy_id = $2', [tenantId, policyId]);
    return rows[0] && toPolicy(rows[0]);
  }

  /** For the worker, which knows only the id its job carries. */
  async getById(policyId: string): Promise<BackupPolicy | undefined> {
    const { rows } = await this.db.query<Row>('SELECT * FROM backup_policies WHERE policy_id = $1', [policyId]);
    return rows[0] && toPolicy(rows[0]);
  }

  /** Newest first; `botId` narrows to the policies of that bot (and, with `withTenantWide`, those of every bot). */
  async list(tenantId: string, filter: { botId?: string; withTenantWide?: boolean; limit: number; cursor?: string }): Promise<Page<BackupPolicy>> {
    const after = afterCursor(filter.cursor);
    const { rows } = await this.db.query<Row & { created_us: string }>(
      `SELECT *, (extract(epoch FROM created_at) * 1000000)::bigint::text AS created_us FROM backup_policies
        WHERE tenant_id = $1 AND ($2::text IS NULL OR bot_id = $2 OR ($3 AND bot_id IS NULL))
          AND ($4::bigint IS NULL OR ((extract(epoch FROM created_at) * 1000000)::bigint, policy_id) < ($4::bigint, $5))
        ORDER BY created_at DESC, policy_id DESC LIMIT $6`,
      [tenantId, filter.botId ?? null, !!filter.withTenantWide, after?.us ?? null, after?.id ?? '', filter.limit + 1],
    );
    return pageOf(rows, filter.limit, toPolicy, (r) => ({ us: r.created_us, id: r.policy_id }));
  }

  /** Every enabled policy (the reconciler declares their schedules again after Redis lost them), a batch at a time. */
  async enabled(afterId: string, limit: number): Promise<BackupPolicy[]> {
    const { rows } = await this.db.query<Row>(`SELECT * FROM backup_policies WHERE enabled AND policy_id > $1 ORDER BY policy_id LIMIT $2`, [afterId, limit]);
    return rows.map(toPolicy);
  }

  async remove(tenantId: string, policyId: string): Promise<boolean> {
    const { rowCount } = await this.db.query('DELETE FROM backup_policies WHERE tenant_id = $1 AND policy_id = $2', [tenantId, policyId]);
    return !!rowCount;
  }
}

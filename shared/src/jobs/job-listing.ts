import type { Pool } from 'pg';
import type { Principal } from '../auth/tokens';
import { canonicalJson, type PageTokens } from '../paging/page-token';

/** Where a listing stopped: last update to the microsecond (JavaScript dates stop at milliseconds) and id. */
export interface ListPosition {
  updatedUs: string;
  id: string;
}

/** The filters Lex's ListExports and ListImports share. */
export interface JobListFilter {
  botId?: string;
  botVersion?: string;
  localeId?: string;
  /** 'Bot' (whole-bot jobs) or 'BotLocale' (single-locale jobs). */
  resourceTypes?: ('Bot' | 'BotLocale')[];
  order: 'Ascending' | 'Descending';
  limit: number;
  after?: ListPosition;
}

const UPDATED_US = '(extract(epoch FROM updated_at) * 1000000)::bigint';

/**
 * One page of a tenant's job records (export_jobs or import_jobs), newest or
 * oldest update first, by keyset so pages stay stable while jobs change.
 * Deleting jobs are not listed. `columns` maps filters to the table's columns
 * (an import's bot is known once it ran; its version is always DRAFT).
 */
export async function listJobs<Row extends object>(
  db: Pool,
  table: 'export_jobs' | 'import_jobs',
  idColumn: string,
  tenantId: string,
  f: JobListFilter,
  columns: { botId: string; botVersion?: string },
): Promise<{ rows: Row[]; last?: ListPosition }> {
  const params: unknown[] = [tenantId];
  const where = ['tenant_id = $1', `status <> 'Deleting'`];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (f.botId) add(`${columns.botId} = ?`, f.botId);
  if (f.botVersion) add(`${columns.botVersion ?? `'DRAFT'`} = ?`, f.botVersion);
  if (f.localeId) add('locale_id = ?', f.localeId);
  if (f.resourceTypes && f.resourceTypes.length === 1) where.push(f.resourceTypes[0] === 'Bot' ? 'locale_id IS NULL' : 'locale_id IS NOT NULL');
  const cmp = f.order === 'Ascending' ? '>' : '<';
  if (f.after) {
    params.push(f.after.updatedUs, f.after.id);
    where.push(`(${UPDATED_US}, ${idColumn}) ${cmp} ($${params.length - 1}::bigint, $${params.length})`);
  }
  const dir = f.order === 'Ascending' ? 'ASC' : 'DESC';
  params.push(f.limit + 1);
  const { rows } = await db.query<Row & { updated_us: string } & Record<string, unknown>>(
    `SELECT *, ${UPDATED_US}::text AS updated_us FROM ${table} WHERE ${where.join(' AND ')}
      ORDER BY ${UPDATED_US} ${dir}, ${idColumn} ${dir} LIMIT $${params.length}`,
    params,
  );
  const page = rows.slice(0, f.limit);
  const lastRow = rows.length > f.limit ? page[page.length - 1] : undefined;
  return { rows: page, last: lastRow && { updatedUs: lastRow.updated_us, id: String(lastRow[idColumn]) } };
}

export interface JobListQuery extends Omit<JobListFilter, 'after'> {
  nextToken?: string;
}

/**
 * A page of jobs for a caller: a bot token sees only its bot's jobs, and the
 * next-page token is bound to the tenant, the kind of job and the filters.
 */
export async function pageOfJobs<T>(
  tokens: PageTokens,
  kind: 'exports' | 'imports',
  principal: Principal,
  query: JobListQuery,
  fetch: (filter: JobListFilter) => Promise<{ records: T[]; last?: ListPosition }>,
): Promise<{ records: T[]; nextToken?: string }> {
  const { nextToken, ...filter } = query;
  if (principal.botId) {
    if (filter.botId && filter.botId !== principal.botId) return { records: [] };
    filter.botId = principal.botId;
  }
  const scope = `${kind}\u0000${principal.tenantId}\u0000${canonicalJson({ ...filter, limit: undefined })}`;
  const after = nextToken ? tokens.verify<ListPosition>(nextToken, scope) : undefined;
  const { records, last } = await fetch({ ...filter, after });
  return { records, nextToken: last && tokens.sign(last, scope) };
}

import type { PoolClient } from 'pg';
import Cursor from 'pg-cursor';
import { changedPointers } from './json-pointers';

/** A component's identity in a diff or a plan: kind, locale (locale-scoped kinds only) and name. */
export interface ComponentId {
  kind: string;
  locale?: string;
  name: string;
}

export interface ChangedComponent extends ComponentId {
  /** JSON pointers (RFC 6901) into the component, `/body/…` and `/refs/…`, where the two sides differ. */
  pointers: string[];
}

export interface ComponentChanges {
  added: ComponentId[];
  removed: ComponentId[];
  changed: ChangedComponent[];
  /** Components both sides hold alike. */
  unchanged: number;
  /** More differences than a listing holds: the counts are complete, the lists are not. */
  truncated: boolean;
  counts: { added: number; removed: number; changed: number };
}

/** How many components one listing names at most; the counts are always complete. */
export const MAX_LISTED = 5000;

/**
 * A relation of components to compare: SQL yielding (kind, locale_id, name,
 * body, refs), with its parameters numbered from `$1` among `params`.
 */
export interface ComponentSet {
  sql: string;
  params: unknown[];
}

export const idOf = (r: { kind: string; locale_id: string; name: string }): ComponentId =>
  r.locale_id ? { kind: r.kind, locale: r.locale_id, name: r.name } : { kind: r.kind, name: r.name };

/** Renumbers `$n` in `sql` by `offset`, so two sets' parameters can share one statement. */
const shift = (sql: string, offset: number) => sql.replace(/\$(\d+)/g, (_m, n: string) => `$${Number(n) + offset}`);

interface Row {
  kind: string;
  locale_id: string;
  name: string;
  from_body: unknown;
  to_body: unknown;
  from_refs: unknown;
  to_refs: unknown;
}

/**
 * Compares two sets of components in PostgreSQL: a full join on the
 * component's identity, body and refs compared as jsonb, so only the rows
 * that differ come back (by cursor, in a fixed order), and only those are
 * compared field by field for their JSON pointers. Neither side is ever held
 * in memory whole, whatever the size of the bot.
 */
export async function compareComponents(client: PoolClient, from: ComponentSet, to: ComponentSet): Promise<ComponentChanges> {
  const params = [...from.params, ...to.params];
  const joined = `(${from.sql}) f FULL JOIN (${shift(to.sql, from.params.length)}) t ON f.kind = t.kind AND f.locale_id = t.locale_id AND f.name = t.name`;
  const same = `f.body = t.body AND coalesce(f.refs, '[]') = coalesce(t.refs, '[]')`;
  const changes: ComponentChanges = { added: [], removed: [], changed: [], unchanged: 0, truncated: false, counts: { added: 0, removed: 0, changed: 0 } };
  const { rows } = await client.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM ${joined} WHERE f.kind IS NOT NULL AND t.kind IS NOT NULL AND ${same}`,
    params,
  );
  changes.unchanged = rows[0].n;

  const cursor = client.query(
    new Cursor<Row>(
      `SELECT coalesce(f.kind, t.kind) AS kind, coalesce(f.locale_id, t.locale_id) AS locale_id, coalesce(f.name, t.name) AS name,
              f.body AS from_body, t.body AS to_body, coalesce(f.refs, '[]') AS from_refs, coalesce(t.refs, '[]') AS to_refs
         FROM ${joined} WHERE f.kind IS NULL OR t.kind IS NULL OR NOT (${same})
        ORDER BY 2, 1, 3`,
      params,
    ),
  );
  try {
    for (let batch = await cursor.read(200); batch.length; batch = await cursor.read(200)) {
      for (const r of batch) {
        const id = idOf(r);
        const list = r.from_body === null ? 'added' : r.to_body === null ? 'removed' : 'changed';
        changes.counts[list]++;
        if (changes.counts[list] > MAX_LISTED) {
          changes.truncated = true;
          continue;
        }
        if (list === 'changed') {
          const pointers = [...changedPointers(r.from_body, r.to_body, '/body'), ...changedPointers(r.from_refs, r.to_refs, '/refs')];
          changes.changed.push({ ...id, pointers });
        } else changes[list].push(id);
      }
    }
  } finally {
    await cursor.close();
  }
  return changes;
}

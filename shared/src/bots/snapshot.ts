import type { Pool, PoolClient } from 'pg';
import Cursor from 'pg-cursor';
import { NotFoundError } from '../errors';
import { inTransaction } from '../store/db';
import type { ComponentRef } from './definition';
import type { ComponentKind } from './kinds';
import { readTaskGraph, type TaskGraph } from './task-graph';

/**
 * A component as read for export: the body stays the JSON text PostgreSQL
 * produced, so streaming a large bot never parses and re-serialises it.
 */
export interface StoredComponent {
  kind: ComponentKind;
  locale?: string;
  name: string;
  refs?: ComponentRef[];
  bodyJson: string;
  /** Hex SHA-256 of the content (components.digest), when read from the store: the archive entry cache's key. */
  digest?: string;
}

/** An archive entry cache row as a snapshot read joins it (exports/entry-cache.ts reads it). */
export interface CachedColumns {
  /** `stored`: the length of the file's stored bytes in the payload; `check`: their CRC-32, so a damaged row is never written into an archive. */
  files: { path: string; size: number; sha256: string; crc32: number; method: 0 | 8; stored: number; check: number }[];
  notes: string[];
  marks: Record<string, unknown>;
  /** The files' stored bytes, one after another, base64. */
  payload: string;
  /** Last used more than a day ago. */
  stale: boolean;
}

/** A component as a snapshot reads it for an export: with its cache row when the cache holds one (its body is then not read). */
export interface SnapshotComponent extends StoredComponent {
  cached?: CachedColumns;
}

interface ComponentRow extends Partial<CachedColumns> {
  kind: ComponentKind;
  locale_id: string;
  name: string;
  body_json: string | null;
  refs: ComponentRef[];
  digest: string;
}

function fromRow(r: ComponentRow): SnapshotComponent {
  const c: SnapshotComponent = { kind: r.kind, name: r.name, bodyJson: r.body_json ?? '', digest: r.digest };
  if (r.locale_id) c.locale = r.locale_id;
  if (r.refs && r.refs.length) c.refs = r.refs;
  if (r.files && typeof r.payload === 'string')
    c.cached = { files: r.files, notes: r.notes ?? [], marks: r.marks ?? {}, payload: r.payload, stale: r.stale === true };
  return c;
}

/** The component as definition-document JSON: kind, locale, name, body, refs. */
export function componentJson(c: StoredComponent): string {
  const locale = c.locale ? `,"locale":${JSON.stringify(c.locale)}` : '';
  const refs = c.refs ? `,"refs":${JSON.stringify(c.refs)}` : '';
  return `{"kind":${JSON.stringify(c.kind)}${locale},"name":${JSON.stringify(c.name)},"body":${c.bodyJson}${refs}}`;
}

export interface SnapshotHeader {
  botId: string;
  name: string;
  description: string;
  version: string;
}

/** One consistent view of a bot version, read by cursor inside a REPEATABLE READ transaction. */
export interface Snapshot {
  header: SnapshotHeader;
  /**
   * Components in a fixed order: locale, kind, name (byte order). With a
   * cache variant, each one the archive entry cache holds under it comes
   * with its files ready and without its body.
   */
  components(options?: { batchSize?: number; cacheVariant?: string }): AsyncGenerator<SnapshotComponent>;
  /** How many components the version holds (same snapshot). */
  count(): Promise<number>;
  /** One component's body as JSON text (same snapshot): for one whose cache row could not be used after all. */
  body(c: Pick<StoredComponent, 'kind' | 'locale' | 'name'>): Promise<string>;
  hasLocale(localeId: string): Promise<boolean>;
  taskGraph(): Promise<TaskGraph>;
}

/**
 * Opens a snapshot of one bot version and hands it to `use`; the transaction
 * lives exactly as long as `use` runs, so an export of a DRAFT that is being
 * edited still sees one state, and memory stays flat however large the bot is.
 */
export async function withSnapshot<T>(db: Pool, tenantId: string, botId: string, version: string, use: (snapshot: Snapshot) => Promise<T>): Promise<T> {
  return inTransaction(
    db,
    async (client) => {
      const head = await client.query<{ name: string; description: string }>(
        `SELECT b.name, b.description FROM bots b
           JOIN bot_versions v USING (tenant_id, bot_id)
          WHERE b.tenant_id = $1 AND b.bot_id = $2 AND v.version = $3`,
        [tenantId, botId, version],
      );
      if (!head.rowCount) throw new NotFoundError(`bot ${botId} has no version ${version}`);
      const header = { botId, version, name: head.rows[0].name, description: head.rows[0].description };
      return use({
        header,
        components: ({ batchSize = 200, cacheVariant } = {}) => readComponents(client, tenantId, botId, version, batchSize, cacheVariant),
        count: async () =>
          Number(
            (
              await client.query<{ n: string }>('SELECT count(*) AS n FROM components WHERE tenant_id = $1 AND bot_id = $2 AND version = $3', [
                tenantId,
                botId,
                version,
              ])
            ).rows[0].n,
          ),
        body: async (c) => {
          const { rows } = await client.query<{ body_json: string }>(
            `SELECT body::text AS body_json FROM components WHERE tenant_id = $1 AND bot_id = $2 AND version = $3 AND locale_id = $4 AND kind = $5 AND name = $6`,
            [tenantId, botId, version, c.locale ?? '', c.kind, c.name],
          );
          if (!rows.length) throw new Error(`${c.kind} ${c.name} is not in the snapshot`);
          return rows[0].body_json;
        },
        taskGraph: () => readTaskGraph(client, tenantId, botId, version),
        hasLocale: async (localeId) =>
          !!(
            await client.query(`SELECT 1 FROM components WHERE tenant_id = $1 AND bot_id = $2 AND version = $3 AND kind = 'locale' AND locale_id = $4`, [
              tenantId,
              botId,
              version,
              localeId,
            ])
          ).rowCount,
      });
    },
    'REPEATABLE READ',
  );
}

/** Rows read first, before their size is known. */
const FIRST_BATCH = 4;
/**
 * Bytes of bodies (or cached payload) a batch aims at: a bot of 5 MB slot
 * types is read one at a time, one of 15 KB intents some 65 at a time. Two
 * batches are held (one being read), so they stay well inside the worker's
 * 4 MB semi-space (WORKER_NODE_ARGS): their strings then die young instead
 * of being copied and promoted by every scavenge (4 MB batches: 10% more
 * worker CPU on a cold export).
 */
const BATCH_BYTES = 1024 * 1024;

/** The next batch's size, from the last one's bytes per row: what is held (two batches, one being read) stays a few megabytes. */
function nextBatch(rows: ComponentRow[], most: number): number {
  const bytes = rows.reduce((n, r) => n + (r.body_json?.length ?? 0) + (r.payload?.length ?? 0), 0);
  return Math.max(1, Math.min(most, Math.floor((BATCH_BYTES * rows.length) / Math.max(1, bytes))));
}

/**
 * Reads a version's components by cursor, the next batch fetched while the
 * last one is worked on. With a cache variant, cached files are joined in
 * and PostgreSQL writes a body as text only for a component they miss.
 */
async function* readComponents(client: PoolClient, tenantId: string, botId: string, version: string, batchSize: number, cacheVariant: string | undefined) {
  const cached = cacheVariant !== undefined;
  const cursor = client.query(
    new Cursor<ComponentRow>(
      `SELECT c.kind, c.locale_id, c.name, c.refs, encode(c.digest, 'hex') AS digest,
              ${cached ? `CASE WHEN e.files IS NULL THEN c.body::text END` : 'c.body::text'} AS body_json
              ${cached ? `, e.files, e.notes, e.marks, encode(e.payload, 'base64') AS payload, e.used_at < now() - interval '1 day' AS stale` : ''}
         FROM components c
         -- LIMIT 1 keeps the lookup one primary-key probe per component, whatever the statistics say.
         ${cached ? 'LEFT JOIN LATERAL (SELECT * FROM archive_entry_cache x WHERE x.tenant_id = $1 AND x.variant = $4 AND x.digest = c.digest LIMIT 1) e ON true' : ''}
        WHERE c.tenant_id = $1 AND c.bot_id = $2 AND c.version = $3
        ORDER BY c.locale_id, c.kind, c.name`,
      cached ? [tenantId, botId, version, cacheVariant] : [tenantId, botId, version],
    ),
  );
  try {
    let next = cursor.read(Math.min(batchSize, FIRST_BATCH));
    for (;;) {
      const rows = await next;
      if (!rows.length) return;
      next = cursor.read(nextBatch(rows, batchSize));
      next.catch(() => undefined); // awaited on the next turn
      for (const r of rows) yield fromRow(r);
    }
  } finally {
    await cursor.close();
  }
}

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

/**
 * Bytes of bodies (or cached payload) a batch aims at: a bot of 5 MB slot
 * types is read one at a time, one of 15 KB intents some 16 at a time. Two
 * batches are held (one being read), so they stay well inside the worker's
 * 4 MB semi-space (WORKER_NODE_ARGS): their strings then die young instead
 * of being copied and promoted by every scavenge. 4 MB batches cost 10% more
 * worker CPU on a cold export than 1 MB; 1 MB cost about 7% more than 256 KB on
 * a warm one (its rows' base64 payloads), the cold one the same within noise.
 */
export const SNAPSHOT_BATCH_BYTES = 256 * 1024;
/** Text bytes per stored byte of a body, guessed until a batch has shown it (lz4 keeps bot JSON at a third to a fifth). */
const FIRST_TEXT_RATIO = 4;

/**
 * Plans each cursor batch by bytes before it is fetched, from every row's
 * stored size read first (pg_column_size, a read of the row alone, not of
 * its TOAST). Components come by kind, so megabyte slot types may follow
 * thousands of small intents: a count taken from the last batch fetched 44
 * slot types of 5.6 MB at once (246 MB held). A body is stored compressed,
 * so its text is guessed from the last batch's ratio; a cached payload is
 * stored as it is and comes as base64.
 */
export class BatchPlan {
  private planned = 0;
  private learned = 0;
  private ratio = FIRST_TEXT_RATIO;

  /** Per row, in cursor order: the body's stored size, or -1 when the row carries a cached payload instead; `payloads` the payload's. */
  constructor(
    private readonly bodies: Int32Array,
    private readonly payloads: Int32Array,
    private readonly most: number,
  ) {}

  /** Rows in the next batch: as many as fit SNAPSHOT_BATCH_BYTES (at least one, at most `most`). */
  next(): number {
    let n = 0;
    let bytes = 0;
    for (let i = this.planned; i < this.bodies.length && n < this.most; i++, n++) {
      bytes += this.bodies[i] >= 0 ? this.bodies[i] * this.ratio : (this.payloads[i] * 4) / 3;
      if (n > 0 && bytes > SNAPSHOT_BATCH_BYTES) break;
    }
    this.planned += n;
    return Math.max(1, n);
  }

  /** Learns the text ratio from a batch's bodies, as they came. */
  learn(texts: (string | null)[]): void {
    let text = 0;
    let stored = 0;
    for (const t of texts) {
      const size = this.bodies[this.learned++];
      if (t !== null && size > 0) {
        text += t.length;
        stored += size;
      }
    }
    if (stored) this.ratio = text / stored;
  }
}

/**
 * Reads a version's components by cursor, the next batch fetched while the
 * last one is worked on. With a cache variant, cached files are joined in
 * and PostgreSQL writes a body as text only for a component they miss.
 */
async function* readComponents(client: PoolClient, tenantId: string, botId: string, version: string, batchSize: number, cacheVariant: string | undefined) {
  const cached = cacheVariant !== undefined;
  const params = cached ? [tenantId, botId, version, cacheVariant] : [tenantId, botId, version];
  const from = `FROM components c
         -- LIMIT 1 keeps the lookup one primary-key probe per component, whatever the statistics say.
         ${cached ? 'LEFT JOIN LATERAL (SELECT * FROM archive_entry_cache x WHERE x.tenant_id = $1 AND x.variant = $4 AND x.digest = c.digest LIMIT 1) e ON true' : ''}
        WHERE c.tenant_id = $1 AND c.bot_id = $2 AND c.version = $3
        ORDER BY c.locale_id, c.kind, c.name`;
  const sizes = await client.query<[number, number]>({
    text: `SELECT ${cached ? 'CASE WHEN e.files IS NULL THEN pg_column_size(c.body) ELSE -1 END' : 'pg_column_size(c.body)'} AS body,
                  ${cached ? 'coalesce(pg_column_size(e.payload), 0)' : '0'} AS payload ${from}`,
    values: params,
    rowMode: 'array',
  });
  const plan = new BatchPlan(
    Int32Array.from(sizes.rows, (r) => r[0]),
    Int32Array.from(sizes.rows, (r) => r[1]),
    batchSize,
  );
  const cursor = client.query(
    new Cursor<ComponentRow>(
      `SELECT c.kind, c.locale_id, c.name, c.refs, encode(c.digest, 'hex') AS digest,
              ${cached ? `CASE WHEN e.files IS NULL THEN c.body::text END` : 'c.body::text'} AS body_json
              ${cached ? `, e.files, e.notes, e.marks, encode(e.payload, 'base64') AS payload, e.used_at < now() - interval '1 day' AS stale` : ''}
         ${from}`,
      params,
    ),
  );
  try {
    let next = cursor.read(plan.next());
    for (;;) {
      const rows = await next;
      if (!rows.length) return;
      plan.learn(rows.map((r) => r.body_json));
      next = cursor.read(plan.next());
      next.catch(() => undefined); // awaited on the next turn
      for (const r of rows) yield fromRow(r);
    }
  } finally {
    await cursor.close();
  }
}

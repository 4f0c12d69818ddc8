import { Pool, PoolClient } from 'pg';
import Cursor from 'pg-cursor';
import { NotFoundError } from '../errors';
import { inTransaction } from '../store/db';
import { Component } from './definition';

export interface ComponentRow {
  kind: string;
  locale_id: string;
  name: string;
  body: Record<string, unknown>;
  refs: Component['refs'];
}

export function rowToComponent(r: ComponentRow): Component {
  const c: Component = { kind: r.kind as Component['kind'], name: r.name, body: r.body };
  if (r.locale_id) c.locale = r.locale_id;
  if (r.refs && r.refs.length) c.refs = r.refs;
  return c;
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
  /** Components in a fixed order: locale, kind, name (byte order). */
  components(batchSize?: number): AsyncGenerator<Component>;
  /** How many components the version holds (same snapshot). */
  count(): Promise<number>;
}

/**
 * Opens a snapshot of one bot version and hands it to `use`; the transaction
 * lives exactly as long as `use` runs, so an export of a DRAFT that is being
 * edited still sees one state, and memory stays flat however large the bot is.
 */
export async function withSnapshot<T>(
  db: Pool,
  tenantId: string,
  botId: string,
  version: string,
  use: (snapshot: Snapshot) => Promise<T>,
): Promise<T> {
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
        components: (batchSize = 500) => readComponents(client, tenantId, botId, version, batchSize),
        count: async () =>
          Number(
            (
              await client.query<{ n: string }>(
                'SELECT count(*) AS n FROM components WHERE tenant_id = $1 AND bot_id = $2 AND version = $3',
                [tenantId, botId, version],
              )
            ).rows[0].n,
          ),
      });
    },
    'REPEATABLE READ',
  );
}

async function* readComponents(client: PoolClient, tenantId: string, botId: string, version: string, batchSize: number) {
  const cursor = client.query(
    new Cursor<ComponentRow>(
      `SELECT kind, locale_id, name, body, refs FROM components
        WHERE tenant_id = $1 AND bot_id = $2 AND version = $3
        ORDER BY locale_id, kind, name`,
      [tenantId, botId, version],
    ),
  );
  try {
    for (;;) {
      const rows = await cursor.read(batchSize);
      if (!rows.length) return;
      for (const r of rows) yield rowToComponent(r);
    }
  } finally {
    await cursor.close();
  }
}

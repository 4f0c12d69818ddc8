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
}

interface ComponentRow {
  kind: ComponentKind;
  locale_id: string;
  name: string;
  body_json: string;
  refs: ComponentRef[];
}

function fromRow(r: ComponentRow): StoredComponent {
  const c: StoredComponent = { kind: r.kind, name: r.name, bodyJson: r.body_json };
  if (r.locale_id) c.locale = r.locale_id;
  if (r.refs && r.refs.length) c.refs = r.refs;
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
  /** Components in a fixed order: locale, kind, name (byte order). */
  components(batchSize?: number): AsyncGenerator<StoredComponent>;
  /** How many components the version holds (same snapshot). */
  count(): Promise<number>;
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
        components: (batchSize = 200) => readComponents(client, tenantId, botId, version, batchSize),
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

async function* readComponents(client: PoolClient, tenantId: string, botId: string, version: string, batchSize: number) {
  const cursor = client.query(
    new Cursor<ComponentRow>(
      `SELECT kind, locale_id, name, body::text AS body_json, refs FROM components
        WHERE tenant_id = $1 AND bot_id = $2 AND version = $3
        ORDER BY locale_id, kind, name`,
      [tenantId, botId, version],
    ),
  );
  try {
    for (;;) {
      const rows = await cursor.read(batchSize);
      if (!rows.length) return;
      for (const r of rows) yield fromRow(r);
    }
  } finally {
    await cursor.close();
  }
}

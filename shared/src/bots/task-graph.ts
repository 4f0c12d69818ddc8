import { Pool, PoolClient } from 'pg';

/** The tasks of one version (dialogs, alerts, actions) and the tasks each one references. */
export type TaskGraph = Map<string, { kind: string; name: string }[]>;

export async function readTaskGraph(db: Pool | PoolClient, tenantId: string, botId: string, version: string): Promise<TaskGraph> {
  const { rows } = await db.query<{ kind: string; name: string; refs: { kind: string; name: string }[] }>(
    `SELECT kind, name, refs FROM components
      WHERE tenant_id = $1 AND bot_id = $2 AND version = $3 AND kind IN ('dialog', 'alert', 'action')`,
    [tenantId, botId, version],
  );
  return new Map(rows.map((r) => [`${r.kind}\u0000${r.name}`, r.refs.filter((x) => ['dialog', 'alert', 'action'].includes(x.kind))]));
}

import type { Pool, PoolClient } from 'pg';
import { TASK_KINDS } from './kinds';

/** A task's identity within a version. */
export const taskKey = (kind: string, name: string): string => `${kind}\u0000${name}`;

/** The tasks of one version (dialogs, alerts, actions) and the tasks each one references. */
export type TaskGraph = Map<string, { kind: string; name: string }[]>;

export async function readTaskGraph(db: Pool | PoolClient, tenantId: string, botId: string, version: string): Promise<TaskGraph> {
  const { rows } = await db.query<{ kind: string; name: string; refs: { kind: string; name: string }[] }>(
    `SELECT kind, name, refs FROM components
      WHERE tenant_id = $1 AND bot_id = $2 AND version = $3 AND kind = ANY($4)`,
    [tenantId, botId, version, [...TASK_KINDS]],
  );
  return new Map(rows.map((r) => [taskKey(r.kind, r.name), r.refs.filter((x) => TASK_KINDS.has(x.kind))]));
}

import type { Pool, PoolClient } from 'pg';
import type { BotStore } from '../bots/bot-store';
import type { BeforeWrite, ImportMode, ImportOutcome } from '../bots/draft-import';
import { AppError, ConflictError, ValidationError } from '../errors';
import { inTransaction } from '../store/db';
import { type ChangedComponent, type ComponentId, compareComponents, idOf, MAX_LISTED } from './component-diff';

/**
 * What an import would do, without doing it: the real import runs in a
 * transaction that is then rolled back, and the plan is the comparison of the
 * DRAFT before and after it inside that transaction. So the plan lists
 * exactly what the import changes — by construction, not by a second
 * implementation of the merge rules that could drift from the first.
 */
export interface ImportPlan {
  format: string;
  mergeStrategy: ImportMode;
  target: { botId: string | null; botName: string; botCreated: boolean };
  /** The DRAFT's revision the plan saw (0 for a bot the import would create): give it as draftRevision to apply the plan. */
  draftRevision: number;
  /** `fails`: the import would fail (see failureReasons) and change nothing. */
  outcome: 'applies' | 'fails';
  failureReasons: string[];
  components: { create: ComponentId[]; update: ChangedComponent[]; unchanged: ComponentId[]; delete: ComponentId[] };
  counts: { create: number; update: number; unchanged: number; delete: number; conflicts: number; missingDependencies: number };
  /** Every archive component the DRAFT already holds, and what the merge strategy does with it. */
  conflicts: (ComponentId & { outcome: string })[];
  /** References neither the archive nor the resulting DRAFT would hold. */
  missingDependencies: (ComponentId & { references: ComponentId })[];
  bot: { description?: { from: string; to: string } };
  notes: string[];
  truncated: boolean;
}

const CONFLICT_OUTCOME: Record<ImportMode, (identical: boolean) => string> = {
  Overwrite: (same) => (same ? 'identical: nothing changes' : "the archive's replaces the DRAFT's"),
  Replace: (same) => (same ? 'identical: nothing changes' : "the archive's replaces the DRAFT's"),
  FailOnConflict: () => 'fails the import (FailOnConflict)',
  Append: (same) => (same ? 'identical: nothing changes' : "the DRAFT's is kept (Append)"),
};

const key = (a: string, b: string) => `${a}.kind = ${b}.kind AND ${a}.locale_id = ${b}.locale_id AND ${a}.name = ${b}.name`;

/** Reasons a person can act on: the message, then each field error with its path. */
export function reasonsOf(err: unknown): string[] {
  const message = (err as Error).message;
  if (err instanceof ValidationError && err.errors.length) return [message, ...err.errors.map((e) => `${e.path}: ${e.message}`)];
  return [message];
}

/** Thrown to roll a transaction back while handing its result out. */
class RolledBack<T> {
  constructor(readonly value: T) {}
}

/** Runs `work` in a transaction that is always rolled back, and returns what it returned. */
export async function inRolledBackTransaction<T>(db: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  try {
    await inTransaction(db, async (client) => {
      throw new RolledBack(await work(client));
    });
  } catch (err) {
    if (err instanceof RolledBack) return err.value as T;
    throw err;
  }
  throw new Error('unreachable');
}

/**
 * Takes the plan's picture inside the import: the DRAFT before (plan_before),
 * the archive's components (plan_archive), the conflicts and the missing
 * dependencies, at the moment the import has staged the archive and locked
 * the DRAFT; `finish` then compares before and after.
 */
export class ImportPlanner {
  private seen?: { botId: string; botName: string; botCreated: boolean; revision: number; description: string };
  private conflicts: ImportPlan['conflicts'] = [];
  private missing: ImportPlan['missingDependencies'] = [];
  private conflictCount = 0;
  private missingCount = 0;

  constructor(
    private readonly bots: BotStore,
    private readonly tenantId: string,
    private readonly mode: ImportMode,
  ) {}

  readonly beforeWrite: BeforeWrite = async (client, bot) => {
    const { rows } = await client.query<{ description: string }>('SELECT description FROM bots WHERE tenant_id = $1 AND bot_id = $2', [
      this.tenantId,
      bot.botId,
    ]);
    const revision = bot.botCreated ? 0 : await this.bots.draftRevision(client, this.tenantId, bot.botId);
    this.seen = { ...bot, revision, description: rows[0]?.description ?? '' };
    // A bot the import creates had no DRAFT before it (its components are written as they are staged).
    await client.query(
      `CREATE TEMP TABLE plan_before ON COMMIT DROP AS
         SELECT kind, locale_id, name, body, refs FROM components WHERE tenant_id = $1 AND bot_id = $2 AND version = 'DRAFT' AND NOT $3`,
      [this.tenantId, bot.botId, bot.botCreated],
    );
    await client.query(`CREATE TEMP TABLE plan_archive ON COMMIT DROP AS SELECT kind, locale_id, name FROM import_staging`);

    const conflicts = await client.query<{ kind: string; locale_id: string; name: string; identical: boolean; total: number }>(
      `SELECT s.kind, s.locale_id, s.name, (s.body = b.body AND s.refs = b.refs) AS identical, count(*) OVER ()::int AS total
         FROM import_staging s JOIN plan_before b ON ${key('s', 'b')} ORDER BY s.locale_id, s.kind, s.name LIMIT ${MAX_LISTED}`,
    );
    this.conflictCount = conflicts.rows[0]?.total ?? 0;
    this.conflicts = conflicts.rows.map((r) => ({ ...idOf(r), outcome: CONFLICT_OUTCOME[this.mode](r.identical) }));

    // What the resulting DRAFT resolves a reference in: the archive, plus the DRAFT unless Replace empties it first.
    const inDraft = this.mode === 'Replace' ? 'FALSE' : `EXISTS (SELECT 1 FROM plan_before b WHERE ${key('b', 'd')})`;
    const checked = this.mode === 'Append' ? `AND NOT EXISTS (SELECT 1 FROM plan_before b WHERE ${key('b', 's')})` : '';
    const missing = await client.query<{
      kind: string;
      locale_id: string;
      name: string;
      dep: { kind: string; locale_id: string; name: string };
      total: number;
    }>(
      `SELECT s.kind, s.locale_id, s.name, jsonb_build_object('kind', d.kind, 'locale_id', d.locale_id, 'name', d.name) AS dep, count(*) OVER ()::int AS total
         FROM import_staging s, jsonb_to_recordset(s.deps) AS d(kind text, locale_id text, name text)
        WHERE NOT EXISTS (SELECT 1 FROM import_staging x WHERE ${key('x', 'd')}) AND NOT ${inDraft} ${checked}
        ORDER BY s.locale_id, s.kind, s.name LIMIT ${MAX_LISTED}`,
    );
    this.missingCount = missing.rows[0]?.total ?? 0;
    this.missing = missing.rows.map((r) => ({ ...idOf(r), references: idOf(r.dep) }));
  };

  /** The plan, from the import's outcome (or its failure) and the DRAFT as the import left it, in the same transaction. */
  async finish(client: PoolClient, format: string, result: { outcome: ImportOutcome } | { error: unknown }): Promise<ImportPlan> {
    if (!this.seen) throw 'error' in result ? result.error : new Error('the import never reached its write');
    const seen = this.seen;
    const plan: ImportPlan = {
      format,
      mergeStrategy: this.mode,
      target: { botId: seen.botCreated ? null : seen.botId, botName: seen.botName, botCreated: seen.botCreated },
      draftRevision: seen.revision,
      outcome: 'error' in result ? 'fails' : 'applies',
      failureReasons: 'error' in result ? reasonsOf(result.error) : [],
      components: { create: [], update: [], unchanged: [], delete: [] },
      counts: { create: 0, update: 0, unchanged: 0, delete: 0, conflicts: this.conflictCount, missingDependencies: this.missingCount },
      conflicts: this.conflicts,
      missingDependencies: this.missing,
      bot: {},
      notes: [],
      truncated: this.conflictCount > MAX_LISTED || this.missingCount > MAX_LISTED,
    };
    if ('outcome' in result) await this.describeChanges(client, plan, seen);
    plan.notes = notesOf(plan);
    return plan;
  }

  private async describeChanges(client: PoolClient, plan: ImportPlan, seen: NonNullable<ImportPlanner['seen']>): Promise<void> {
    const after = {
      sql: `SELECT kind, locale_id, name, body, refs FROM components WHERE tenant_id = $1 AND bot_id = $2 AND version = 'DRAFT'`,
      params: [this.tenantId, seen.botId],
    };
    const changes = await compareComponents(client, { sql: 'SELECT * FROM plan_before', params: [] }, after);
    plan.components.create = changes.added;
    plan.components.update = changes.changed;
    plan.components.delete = changes.removed;
    const unchanged = await client.query<{ kind: string; locale_id: string; name: string; total: number }>(
      `SELECT a.kind, a.locale_id, a.name, count(*) OVER ()::int AS total FROM plan_archive a
         JOIN plan_before b ON ${key('a', 'b')}
         JOIN components c ON c.tenant_id = $1 AND c.bot_id = $2 AND c.version = 'DRAFT' AND ${key('c', 'a')}
        WHERE b.body = c.body AND b.refs = c.refs ORDER BY a.locale_id, a.kind, a.name LIMIT ${MAX_LISTED}`,
      [this.tenantId, seen.botId],
    );
    plan.components.unchanged = unchanged.rows.map(idOf);
    plan.counts = { ...plan.counts, create: changes.counts.added, update: changes.counts.changed, delete: changes.counts.removed };
    plan.counts.unchanged = unchanged.rows[0]?.total ?? 0;
    plan.truncated ||= changes.truncated || plan.counts.unchanged > MAX_LISTED;
    const { rows } = await client.query<{ description: string }>('SELECT description FROM bots WHERE tenant_id = $1 AND bot_id = $2', [
      this.tenantId,
      seen.botId,
    ]);
    if (!seen.botCreated && rows[0].description !== seen.description) plan.bot.description = { from: seen.description, to: rows[0].description };
  }
}

function notesOf(plan: ImportPlan): string[] {
  const c = plan.counts;
  const notes = [`the archive is ${plan.format}`];
  if (plan.target.botCreated) notes.push(`a new bot named '${plan.target.botName}' would be created`);
  else
    notes.push(
      `into the DRAFT of bot ${plan.target.botName} at revision ${plan.draftRevision}; apply with draftRevision=${plan.draftRevision} to refuse it if the DRAFT changes first`,
    );
  if (plan.outcome === 'fails') notes.push('the import would fail and change nothing');
  else notes.push(`${c.create} to create, ${c.update} to update, ${c.unchanged} unchanged, ${c.delete} to delete`);
  if (c.conflicts) notes.push(`${c.conflicts} component(s) of the archive exist in the DRAFT (${plan.mergeStrategy})`);
  if (c.missingDependencies) notes.push(`${c.missingDependencies} reference(s) would be missing`);
  if (plan.bot.description) notes.push("the bot's description would change");
  if (plan.truncated) notes.push(`lists stop at ${MAX_LISTED} entries; the counts are complete`);
  return notes;
}

/** A guard for applying a plan: the DRAFT must still be at the revision the plan saw. */
export function requireRevision(bots: BotStore, tenantId: string, expected: number): BeforeWrite {
  return async (client, bot) => {
    const revision = bot.botCreated ? 0 : await bots.draftRevision(client, tenantId, bot.botId);
    if (revision !== expected) {
      throw new ConflictError(`the DRAFT of bot ${bot.botName} changed since the plan (revision ${expected} then, ${revision} now); plan the import again`);
    }
  };
}

/** Several hooks, one after the other. */
export const allOf =
  (...hooks: (BeforeWrite | undefined)[]): BeforeWrite =>
  async (client, bot) => {
    for (const hook of hooks) await hook?.(client, bot);
  };

export const isPlanFailure = (err: unknown): boolean => err instanceof AppError && err.permanent;

import type { Pool, PoolClient } from 'pg';
import { ConflictError, ValidationError } from '../errors';
import { inTransaction } from '../store/db';
import type { BotStore } from './bot-store';
import { bodyDocument, type Component, componentKey, type DefinitionDocument, dependenciesOf } from './definition';
import { isLocaleScoped } from './kinds';

export const MERGE_STRATEGIES = ['Overwrite', 'FailOnConflict', 'Append'] as const;
export type MergeStrategy = (typeof MERGE_STRATEGIES)[number];
/** `Replace`: the DRAFT becomes exactly the source (a restore). Whole-bot targets only. */
export type ImportMode = MergeStrategy | 'Replace';

/** Where an import lands. Every target is a DRAFT; an import never publishes. */
export type ImportTarget =
  /** A bot by name: its DRAFT when it exists, else a new bot (Lex's botImportSpecification). */
  | { kind: 'named'; botName: string }
  /** Always a new bot, named as the archive names it (made unique): EDDI's and Kore's new-bot import. */
  | { kind: 'new' }
  | { kind: 'bot'; botId: string }
  | { kind: 'locale'; botId: string; localeId: string };

export interface ImportSource {
  bot: { name: string; description: string };
  components: AsyncIterable<Component> | Iterable<Component>;
}

/**
 * Called inside the import's transaction once the target DRAFT is locked and
 * the archive staged (table `import_staging`), before anything is written:
 * where undo keeps the pre-image, a plan takes its picture, and a guarded
 * import checks the DRAFT's revision. Whatever it throws fails the import.
 * A bot the import creates is the exception: its DRAFT was empty, so its
 * components are written as they are staged (the staging table then holds
 * no bodies), and what it held before the import is nothing, whatever the
 * DRAFT holds when the hook runs.
 */
export type BeforeWrite = (client: PoolClient, bot: { botId: string; botName: string; botCreated: boolean }) => Promise<void>;

export interface ImportOutcome {
  botId: string;
  botName: string;
  botCreated: boolean;
  /** New components; existing ones replaced; existing ones kept over the archive's (Append). */
  added: number;
  replaced: number;
  kept: number;
}

/** A batch is one statement: big enough to be cheap per row, small enough to bound memory. */
const BATCH_ROWS = 1000;
/** A staged row's fields (kind, locale_id, name, body, refs, deps), one statement parameter each. */
const FIELDS = 6;
const BATCH_BYTES = 4 * 1024 * 1024;
const MAX_REPORTED = 20;

const describe = (r: { kind: string; locale_id: string; name: string }) => `${r.kind} '${r.name}'${r.locale_id ? ` (${r.locale_id})` : ''}`;

/**
 * Applies an import source to a DRAFT inside the caller's transaction, so a
 * failure at any step leaves the store exactly as it was. Components stream
 * into a temporary staging table in batches (the source is never held in
 * memory); conflicts and references are then settled in SQL (a bot the
 * import creates has none: its components are written as they are staged):
 *
 * - `Overwrite`: archive components replace existing ones of the same kind,
 *   locale and name; other existing components stay.
 * - `FailOnConflict`: any such existing component fails the import, naming them.
 * - `Append`: existing components win; only new ones are added.
 * - `Replace`: the DRAFT is emptied first (Xenioo's restore).
 *
 * Every reference of every imported component must resolve in the resulting DRAFT.
 */
export async function importIntoDraft(
  client: PoolClient,
  bots: BotStore,
  tenantId: string,
  target: ImportTarget,
  mode: ImportMode,
  source: ImportSource,
  include: (c: Component) => boolean = () => true,
  beforeWrite?: BeforeWrite,
): Promise<ImportOutcome> {
  if (mode === 'Replace' && target.kind === 'locale') throw new ValidationError('a locale import cannot replace the whole draft');
  const bot = await resolveTarget(client, bots, tenantId, target, source.bot);
  await client.query(
    // lz4: pglz, the default, would cost as much as parsing the bodies.
    `CREATE TEMP TABLE import_staging (kind text, locale_id text, name text, body jsonb COMPRESSION lz4, refs jsonb, deps jsonb,
       PRIMARY KEY (kind, locale_id, name)) ON COMMIT DROP`,
  );
  const localeId = target.kind === 'locale' ? target.localeId : undefined;
  const scope = [tenantId, bot.botId];
  // An empty DRAFT has nothing to conflict with: each batch goes into it as it is staged, PostgreSQL writing one while the next is read.
  const into = bot.botCreated ? { tenantId, botId: bot.botId } : undefined;
  const seen = await stageComponents(client, 'import_staging', source.components, (c) => (!localeId || c.locale === localeId) && include(c), into);
  if (localeId && !seen.has(componentKey({ kind: 'locale', locale: localeId, name: localeId }))) {
    throw new ValidationError(`the archive has no locale ${localeId}`);
  }
  await beforeWrite?.(client, bot);

  const existing = `c.tenant_id = $1 AND c.bot_id = $2 AND c.version = 'DRAFT'`;
  const { added, replaced, kept } = into ? { added: seen.size, replaced: 0, kept: 0 } : await writeStaged(client, scope, existing, mode, bot.botName);
  await checkReferences(client, scope, existing);
  const describesBot = target.kind !== 'locale' && (mode === 'Overwrite' || mode === 'Replace');
  await bots.touchDraft(client, tenantId, bot.botId, describesBot ? source.bot.description : undefined);
  return { ...bot, added, replaced, kept };
}

/** Writes the staged components into an existing DRAFT as `mode` says; what was added, replaced and kept. */
async function writeStaged(
  client: PoolClient,
  scope: string[],
  existing: string,
  mode: ImportMode,
  botName: string,
): Promise<Pick<ImportOutcome, 'added' | 'replaced' | 'kept'>> {
  const sameKey = `c.kind = s.kind AND c.locale_id = s.locale_id AND c.name = s.name`;
  let kept = 0;
  if (mode === 'Replace') {
    await client.query(`DELETE FROM components c WHERE ${existing}`, scope);
  } else if (mode === 'FailOnConflict') {
    const { rows } = await client.query<{ kind: string; locale_id: string; name: string; total: number }>(
      `SELECT s.kind, s.locale_id, s.name, count(*) OVER ()::int AS total FROM import_staging s JOIN components c ON ${sameKey} AND ${existing}
        ORDER BY s.locale_id, s.kind, s.name LIMIT ${MAX_REPORTED}`,
      scope,
    );
    if (rows.length) {
      const more = rows[0].total > rows.length ? ` and ${rows[0].total - rows.length} more` : '';
      throw new ConflictError(`${rows[0].total} component(s) already exist in bot ${botName}: ${rows.map(describe).join(', ')}${more}`);
    }
  } else if (mode === 'Append') {
    kept = (await client.query(`DELETE FROM import_staging s USING components c WHERE ${sameKey} AND ${existing}`, scope)).rowCount ?? 0;
  }

  const { rows: counts } = await client.query<{ added: number; replaced: number }>(
    `WITH written AS (
       INSERT INTO components (tenant_id, bot_id, version, kind, locale_id, name, body, refs)
       SELECT $1, $2, 'DRAFT', kind, locale_id, name, body, refs FROM import_staging
       ON CONFLICT (tenant_id, bot_id, version, locale_id, kind, name) DO UPDATE SET body = EXCLUDED.body, refs = EXCLUDED.refs
       RETURNING (xmax = 0) AS inserted)
     SELECT count(*) FILTER (WHERE inserted)::int AS added, count(*) FILTER (WHERE NOT inserted)::int AS replaced FROM written`,
    scope,
  );
  return { added: counts[0].added, replaced: counts[0].replaced, kept };
}

/**
 * Streams components into a staging table (kind, locale_id, name, body, refs,
 * deps) in batches, one batch in flight while the next is read (PostgreSQL
 * and the reader work at once), or — when `into` names a DRAFT — bodies into
 * it and the rest into the table; refuses a component the source holds twice.
 */
export async function stageComponents(
  client: PoolClient,
  table: 'import_staging' | 'diff_from' | 'diff_to',
  components: ImportSource['components'],
  wanted: (c: Component) => boolean = () => true,
  into?: { tenantId: string; botId: string },
): Promise<Set<string>> {
  // One parameter per field: PostgreSQL parses each body once, straight into its jsonb (not a batch's array first),
  // taking it from the entry it was read from where there is one (bodyDocument): the worker does not serialize it again.
  const statement = (rows: number) => {
    const first = into ? 3 : 1;
    const values = Array.from({ length: rows }, (_, i) => {
      const p = first + i * FIELDS;
      return `($${p}, $${p + 1}, $${p + 2}, $${p + 3}::jsonb -> 'body', $${p + 4}::jsonb, $${p + 5}::jsonb)`;
    }).join(', ');
    // Into a DRAFT, bodies go to it alone: what is staged beside them (keys, refs, references) is all a created bot's checks read.
    return into
      ? `WITH x (kind, locale_id, name, body, refs, deps) AS (VALUES ${values}),
           staged AS (INSERT INTO ${table} SELECT kind, locale_id, name, NULL, refs, deps FROM x)
         INSERT INTO components (tenant_id, bot_id, version, kind, locale_id, name, body, refs)
         SELECT $1, $2, 'DRAFT', kind, locale_id, name, body, refs FROM x`
      : `INSERT INTO ${table} (kind, locale_id, name, body, refs, deps) VALUES ${values}`;
  };
  const seen = new Set<string>();
  let batch: string[] = [];
  let batchBytes = 0;
  let inFlight: Promise<unknown> = Promise.resolve();
  const flush = async () => {
    await inFlight;
    if (!batch.length) return;
    inFlight = client.query(statement(batch.length / FIELDS), into ? [into.tenantId, into.botId, ...batch] : batch);
    inFlight.catch(() => undefined); // awaited at the next flush
    batch = [];
    batchBytes = 0;
  };
  try {
    for await (const c of components) {
      if (!wanted(c)) continue;
      const key = componentKey(c);
      if (seen.has(key)) throw new ValidationError(`the archive holds ${c.kind} '${c.name}'${c.locale ? ` (${c.locale})` : ''} twice`);
      seen.add(key);
      const deps = dependenciesOf(c).map((d) => ({ kind: d.kind, locale_id: isLocaleScoped(d.kind) ? (d.locale ?? '') : '', name: d.name }));
      const body = bodyDocument(c);
      batch.push(c.kind, c.locale ?? '', c.name, body, JSON.stringify(c.refs ?? []), JSON.stringify(deps));
      batchBytes += body.length;
      if (batch.length >= BATCH_ROWS * FIELDS || batchBytes >= BATCH_BYTES) await flush();
    }
    await flush();
  } finally {
    await inFlight.catch(() => undefined);
  }
  await inFlight;
  return seen;
}

/** Every reference of an imported component must name a component of the resulting DRAFT. */
async function checkReferences(client: PoolClient, scope: string[], existing: string): Promise<void> {
  const { rows } = await client.query<{ kind: string; locale_id: string; name: string; dep: { kind: string; locale_id: string; name: string } }>(
    `SELECT s.kind, s.locale_id, s.name, jsonb_build_object('kind', d.kind, 'locale_id', d.locale_id, 'name', d.name) AS dep
       FROM import_staging s, jsonb_to_recordset(s.deps) AS d(kind text, locale_id text, name text)
      WHERE NOT EXISTS (SELECT 1 FROM components c WHERE ${existing} AND c.kind = d.kind AND c.locale_id = d.locale_id AND c.name = d.name)
      ORDER BY s.locale_id, s.kind, s.name LIMIT ${MAX_REPORTED}`,
    scope,
  );
  if (rows.length) {
    throw new ValidationError(
      'imported components reference components that are neither in the archive nor in the bot',
      rows.map((r) => ({ path: describe(r), message: `references ${describe(r.dep)}, which does not exist` })),
    );
  }
}

async function resolveTarget(
  client: PoolClient,
  bots: BotStore,
  tenantId: string,
  target: ImportTarget,
  archiveBot: ImportSource['bot'],
): Promise<{ botId: string; botName: string; botCreated: boolean }> {
  if (target.kind === 'bot' || target.kind === 'locale') {
    const bot = await bots.lockDraft(client, tenantId, target.botId);
    return { botId: bot.botId, botName: bot.name, botCreated: false };
  }
  if (target.kind === 'named') {
    const found = await bots.findByName(client, tenantId, target.botName);
    if (found) {
      await bots.lockDraft(client, tenantId, found.botId);
      return { botId: found.botId, botName: found.name, botCreated: false };
    }
  }
  const name = target.kind === 'named' ? target.botName : await bots.freeName(client, tenantId, archiveBot.name);
  const bot = await bots.createIn(client, tenantId, { name, description: archiveBot.description });
  return { botId: bot.botId, botName: bot.name, botCreated: true };
}

/** Replaces a bot's DRAFT with a validated document, atomically (the /v1 definition PUT, Xenioo's restore). */
export async function replaceDraft(db: Pool, bots: BotStore, tenantId: string, botId: string, doc: DefinitionDocument): Promise<ImportOutcome> {
  const source = { bot: { name: doc.bot.name, description: doc.bot.description ?? '' }, components: doc.components };
  return inTransaction(db, (client) => importIntoDraft(client, bots, tenantId, { kind: 'bot', botId }, 'Replace', source));
}

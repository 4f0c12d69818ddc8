import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Pool, PoolClient } from 'pg';
import Cursor from 'pg-cursor';
import { type ArchiveLimits, openArchive } from '../archive/zip-reader';
import { zipChunks } from '../archive/zip-writer';
import { limitBytes } from '../archive/byte-limit';
import { assertBotAllowed, type Principal } from '../auth/tokens';
import type { BotStore } from '../bots/bot-store';
import type { ComponentRef } from '../bots/definition';
import { stageComponents } from '../bots/draft-import';
import type { ComponentKind } from '../bots/kinds';
import type { StoredComponent } from '../bots/snapshot';
import { NotFoundError, ValidationError } from '../errors';
import { FORMATS, READERS, readerFor } from '../formats';
import { VERSION_PATTERN } from '../ids';
import { inTransaction } from '../store/db';
import { compareComponents, type ComponentChanges } from './component-diff';
import { changedPointers } from './json-pointers';

/** The format a bot version is in: botport's own, lossless one. */
const NATIVE = 'BotportJson';

/**
 * Where an archive side lives, by its reference's prefix (`export:ID`,
 * `upload:ID`, `backup:ID`): the caller knows its records and buckets, the
 * diff only reads the bytes.
 */
export type ArchiveResolver = (tenantId: string, botId: string, id: string) => Promise<{ open(): Promise<Readable>; what: string }>;

/** One side of a diff as the answer describes it. */
export interface DiffSide {
  ref: string;
  kind: 'version' | 'archive';
  /** The archive's format as read from its manifest; a version is BotportJson. */
  format: string;
  bot: { name: string; description: string };
}

export interface BotDiff extends ComponentChanges {
  from: DiffSide;
  to: DiffSide;
  /** The format both sides were compared in (see compareAs). */
  comparedAs: string;
  /** Pointers into `{name, description}` where the bot itself differs. */
  bot: { changed: string[] };
  notes: string[];
}

export interface DiffLimits extends ArchiveLimits {
  IMPORT_MAX_ARCHIVE_BYTES: number;
}

/** A side's reference: DRAFT, a version number, or `prefix:id` for an archive. */
export function parseSideRef(ref: string, prefixes: string[]): { version: string } | { prefix: string; id: string } {
  if (VERSION_PATTERN.test(ref)) return { version: ref };
  const [prefix, id] = ref.split(':', 2);
  if (id && prefixes.includes(prefix)) return { prefix, id };
  throw new ValidationError(`'${ref.slice(0, 60)}' is not a side: give DRAFT, a version number, or ${prefixes.map((p) => `${p}:ID`).join(', ')}`);
}

/**
 * Diffs between any two of a version, the DRAFT, an export, an uploaded
 * archive or a backup: per component added / removed / changed, with JSON
 * pointers. Both sides are staged into temporary tables (a version by one
 * INSERT … SELECT, an archive through its format's reader, batch by batch)
 * and compared in SQL, so a large bot is never held in memory.
 *
 * Formats are compared by content. Each format's reader turns an archive
 * back into components, but a lossy format (LexJson) leaves kinds out and
 * adds what its platform requires (identifiers, defaults, a fallback intent).
 * So when one side is such an archive and the other is botport's own, the
 * native side is compared as that format would hold it: written with the
 * format's writer and read back with its reader — the same code an export
 * and an import run. What the format cannot hold is then said in the notes,
 * not reported as removed.
 */
export class DiffService {
  constructor(
    private readonly deps: {
      db: Pool;
      bots: BotStore;
      limits: DiffLimits;
      archives: Record<string, ArchiveResolver>;
    },
  ) {}

  async diff(principal: Principal, botId: string, fromRef: string, toRef: string): Promise<BotDiff> {
    assertBotAllowed(principal, botId);
    const bot = await this.deps.bots.get(principal.tenantId, botId);
    const dir = await mkdtemp(join(tmpdir(), 'botport-diff-'));
    try {
      return await inTransaction(
        this.deps.db,
        async (client) => {
          for (const table of ['diff_from', 'diff_to']) {
            await client.query(
              `CREATE TEMP TABLE ${table} (kind text COLLATE "C", locale_id text COLLATE "C", name text COLLATE "C", body jsonb COMPRESSION lz4, refs jsonb, deps jsonb,
                 PRIMARY KEY (kind, locale_id, name)) ON COMMIT DROP`,
            );
          }
          const scope = { tenantId: principal.tenantId, botId, bot, dir };
          const from = await this.load(client, 'diff_from', fromRef, scope);
          const to = await this.load(client, 'diff_to', toRef, scope);
          const comparedAs = compareAs(from.format, to.format);
          const notes: string[] = [];
          for (const [side, table] of [
            [from, 'diff_from'],
            [to, 'diff_to'],
          ] as const) {
            if (side.format !== NATIVE || comparedAs === NATIVE) continue;
            side.bot = await this.project(client, table, side, comparedAs, botId, join(dir, `${table}-as-${comparedAs}.zip`), (m) =>
              notes.push(`${side.ref} as ${comparedAs}: ${m}`),
            );
          }
          if (from.format !== to.format && comparedAs === NATIVE) notes.push(`${from.format} and ${to.format} are compared as each reader reads them`);
          const changes = await compareComponents(client, staged('diff_from'), staged('diff_to'));
          return { from, to, comparedAs, bot: { changed: changedPointers(from.bot, to.bot) }, ...changes, notes };
        },
        'REPEATABLE READ',
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  private async load(
    client: PoolClient,
    table: 'diff_from' | 'diff_to',
    ref: string,
    scope: { tenantId: string; botId: string; bot: { name: string; description: string }; dir: string },
  ): Promise<DiffSide> {
    const side = parseSideRef(ref, Object.keys(this.deps.archives));
    if ('version' in side) {
      if (!(await this.deps.bots.versionExists(scope.tenantId, scope.botId, side.version))) {
        throw new NotFoundError(`bot ${scope.botId} has no version ${side.version}`);
      }
      await client.query(
        `INSERT INTO ${table} SELECT kind, locale_id, name, body, refs, '[]' FROM components WHERE tenant_id = $1 AND bot_id = $2 AND version = $3`,
        [scope.tenantId, scope.botId, side.version],
      );
      return { ref, kind: 'version', format: NATIVE, bot: { name: scope.bot.name, description: scope.bot.description } };
    }
    const archive = await this.deps.archives[side.prefix](scope.tenantId, scope.botId, side.id);
    const file = join(scope.dir, `${table}.zip`);
    await pipeline(await archive.open(), limitBytes(this.deps.limits.IMPORT_MAX_ARCHIVE_BYTES), createWriteStream(file));
    const bot = await this.stageArchive(client, table, file);
    return { ref, kind: 'archive', format: bot.format, bot: bot.bot };
  }

  /** Reads an archive on disk with the reader its manifest names, into a staging table. */
  private async stageArchive(client: PoolClient, table: string, file: string): Promise<{ format: string; bot: { name: string; description: string } }> {
    const archive = await openArchive(file, this.deps.limits);
    try {
      const { reader, manifest } = await readerFor(archive);
      const source = await reader.read(archive, manifest);
      await stageComponents(client, table as 'diff_from', source.components);
      return { format: source.format, bot: source.bot };
    } finally {
      archive.close();
    }
  }

  /** A side as `format` holds it: written by its writer, read back by its reader, in place of what was staged. */
  private async project(
    client: PoolClient,
    table: 'diff_from' | 'diff_to',
    side: DiffSide,
    format: string,
    botId: string,
    file: string,
    note: (message: string) => void,
  ): Promise<{ name: string; description: string }> {
    const entries = FORMATS[format].entries({
      header: { botId, name: side.bot.name, description: side.bot.description, version: side.kind === 'version' ? side.ref : 'DRAFT' },
      localeId: null,
      options: {},
      components: stagedComponents(client, table),
      note,
    });
    await pipeline(Readable.from(zipChunks(entries)), createWriteStream(file));
    await client.query(`DELETE FROM ${table}`);
    return (await this.stageArchive(client, table, file)).bot;
  }
}

/**
 * The format two sides are compared in: a side in a format botport can both
 * write and read, other than its own, pulls a native side into its terms;
 * two foreign formats are compared as read.
 */
function compareAs(a: string, b: string): string {
  const foreign = [a, b].filter((f) => f !== NATIVE);
  const both = (f: string) => !!FORMATS[f] && READERS.some((r) => r.name === f);
  return foreign.length === 1 && both(foreign[0]) ? foreign[0] : NATIVE;
}

const staged = (table: string) => ({ sql: `SELECT kind, locale_id, name, body, refs FROM ${table}`, params: [] });

/** A staging table's components in the snapshot order (locale, kind, name), as a format writer takes them. */
async function* stagedComponents(client: PoolClient, table: string): AsyncGenerator<StoredComponent> {
  const cursor = client.query(
    new Cursor<{ kind: ComponentKind; locale_id: string; name: string; body_json: string; refs: ComponentRef[] }>(
      `SELECT kind, locale_id, name, body::text AS body_json, refs FROM ${table} ORDER BY locale_id, kind, name`,
    ),
  );
  try {
    for (let rows = await cursor.read(200); rows.length; rows = await cursor.read(200)) {
      for (const r of rows) {
        const c: StoredComponent = { kind: r.kind, name: r.name, bodyJson: r.body_json };
        if (r.locale_id) c.locale = r.locale_id;
        if (r.refs?.length) c.refs = r.refs;
        yield c;
      }
    }
  } finally {
    await cursor.close();
  }
}

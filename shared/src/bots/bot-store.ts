import type { Pool, PoolClient } from 'pg';
import { ConflictError, NotFoundError, ValidationError } from '../errors';
import { textProblem } from '../input/input-guard';
import { newId } from '../ids';
import { inTransaction, UNIQUE_VIOLATION } from '../store/db';
import { type Component, componentKey, type ComponentRef, dependenciesOf } from './definition';
import { isLocaleScoped } from './kinds';

export interface Bot {
  botId: string;
  name: string;
  description: string;
  createdAt: string;
  updatedAt: string;
}

/** What an export can be narrowed to: a version's locales, its named tasks and how many components of each kind. */
export interface VersionOutline {
  version: string;
  locales: string[];
  tasks: { dialogs: string[]; alerts: string[]; actions: string[] };
  counts: Record<string, number>;
}

/** A bot with its highest published version (Lex's latestBotVersion), for listings. */
export interface BotSummary extends Bot {
  latestVersion?: string;
}

/** How a listing of bots by name is narrowed (Lex's ListBots filter: equals, contains, not equal). */
export interface BotQuery {
  nameFilter?: { operator: 'EQ' | 'CO' | 'NE'; value: string };
  order: 'Ascending' | 'Descending';
  limit: number;
  /** The last name of the previous page. */
  after?: string;
  /** Only this bot (a caller limited to one bot). */
  botId?: string;
}

/** A locale of a version: its own body and how many intents and slot types it holds. */
export interface LocaleSummary {
  localeId: string;
  body: Record<string, unknown>;
  intents: number;
  slotTypes: number;
}

export interface BotVersion {
  version: string;
  description: string;
  createdAt: string;
  updatedAt: string;
}

interface BotRow {
  bot_id: string;
  name: string;
  description: string;
  created_at: Date;
  updated_at: Date;
}

const toBot = (r: BotRow): Bot => ({
  botId: r.bot_id,
  name: r.name,
  description: r.description,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

const INSERT_BATCH = 1000;

/**
 * The bot store. Every method takes the tenant from the verified token and
 * scopes every statement by it: another tenant's bot is simply not found.
 */
export class BotStore {
  constructor(private readonly db: Pool) {}

  async create(tenantId: string, input: { name: string; description?: string }): Promise<Bot> {
    return inTransaction(this.db, (client) => this.createIn(client, tenantId, input));
  }

  /** Creates a bot with an empty DRAFT inside the caller's transaction. */
  async createIn(client: PoolClient, tenantId: string, input: { name: string; description?: string }): Promise<Bot> {
    const botId = newId();
    try {
      const { rows } = await client.query<BotRow>(
        `INSERT INTO bots (tenant_id, bot_id, name, description) VALUES ($1, $2, $3, $4)
         RETURNING bot_id, name, description, created_at, updated_at`,
        [tenantId, botId, input.name, input.description ?? ''],
      );
      await client.query(`INSERT INTO bot_versions (tenant_id, bot_id, version) VALUES ($1, $2, 'DRAFT')`, [tenantId, botId]);
      return toBot(rows[0]);
    } catch (err) {
      if ((err as { code?: string }).code === UNIQUE_VIOLATION) throw new ConflictError(`a bot named '${input.name}' already exists`);
      throw err;
    }
  }

  /** Keyset pagination by name (names are unique per tenant); the cursor is the last name seen. */
  async list(tenantId: string, limit: number, cursor?: string): Promise<{ bots: Bot[]; nextCursor?: string }> {
    const after = cursor ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
    if (textProblem(after)) throw new ValidationError('cursor is not a cursor this listing gave out');
    const { rows } = await this.db.query<BotRow>(
      `SELECT bot_id, name, description, created_at, updated_at FROM bots
        WHERE tenant_id = $1 AND name COLLATE "C" > $2 ORDER BY name COLLATE "C" LIMIT $3`,
      [tenantId, after, limit + 1],
    );
    const page = rows.slice(0, limit).map(toBot);
    const nextCursor = rows.length > limit ? Buffer.from(page[page.length - 1].name, 'utf8').toString('base64url') : undefined;
    return { bots: page, nextCursor };
  }

  /** Bots by name in either order, narrowed by name; each with its latest published version. */
  async search(tenantId: string, q: BotQuery): Promise<{ bots: BotSummary[]; more: boolean }> {
    const filter = q.nameFilter;
    const nameCondition = !filter
      ? '$3::text IS NULL'
      : filter.operator === 'EQ'
        ? 'b.name = $3::text'
        : filter.operator === 'NE'
          ? 'b.name <> $3::text'
          : 'strpos(b.name, $3::text) > 0';
    const desc = q.order === 'Descending';
    const { rows } = await this.db.query<BotRow & { latest_version: string | null }>(
      `SELECT b.bot_id, b.name, b.description, b.created_at, b.updated_at,
              (SELECT max(v.version::int)::text FROM bot_versions v
                WHERE v.tenant_id = b.tenant_id AND v.bot_id = b.bot_id AND v.version <> 'DRAFT') AS latest_version
         FROM bots b
        WHERE b.tenant_id = $1 AND ($2::text IS NULL OR b.bot_id = $2) AND ${nameCondition}
          AND ($4::text IS NULL OR b.name COLLATE "C" ${desc ? '<' : '>'} $4)
        ORDER BY b.name COLLATE "C" ${desc ? 'DESC' : 'ASC'} LIMIT $5`,
      [tenantId, q.botId ?? null, filter?.value ?? null, q.after ?? null, q.limit + 1],
    );
    const bots = rows.slice(0, q.limit).map((r) => ({ ...toBot(r), ...(r.latest_version && { latestVersion: r.latest_version }) }));
    return { bots, more: rows.length > q.limit };
  }

  async get(tenantId: string, botId: string): Promise<Bot> {
    const { rows } = await this.db.query<BotRow>('SELECT bot_id, name, description, created_at, updated_at FROM bots WHERE tenant_id = $1 AND bot_id = $2', [
      tenantId,
      botId,
    ]);
    if (!rows.length) throw new NotFoundError(`bot ${botId} was not found`);
    return toBot(rows[0]);
  }

  async delete(tenantId: string, botId: string): Promise<void> {
    const { rowCount } = await this.db.query('DELETE FROM bots WHERE tenant_id = $1 AND bot_id = $2', [tenantId, botId]);
    if (!rowCount) throw new NotFoundError(`bot ${botId} was not found`);
  }

  /** Inserts components into the DRAFT in batches of one statement each. */
  async insertComponents(client: PoolClient, tenantId: string, botId: string, components: Component[]): Promise<void> {
    for (let i = 0; i < components.length; i += INSERT_BATCH) {
      const batch = components.slice(i, i + INSERT_BATCH).map((c) => ({
        kind: c.kind,
        locale_id: c.locale ?? '',
        name: c.name,
        body: c.body,
        refs: c.refs ?? [],
      }));
      await client.query(
        `INSERT INTO components (tenant_id, bot_id, version, kind, locale_id, name, body, refs)
         SELECT $1, $2, 'DRAFT', x.kind, x.locale_id, x.name, x.body, x.refs
           FROM jsonb_to_recordset($3::jsonb) AS x(kind text, locale_id text, name text, body jsonb, refs jsonb)`,
        [tenantId, botId, JSON.stringify(batch)],
      );
    }
    await this.touchDraft(client, tenantId, botId);
  }

  /** Upserts one DRAFT component; everything it references must already be in the DRAFT. */
  async upsertComponent(tenantId: string, botId: string, component: Component): Promise<{ created: boolean }> {
    return inTransaction(this.db, async (client) => {
      await this.lockDraft(client, tenantId, botId);
      const missing = await this.missingDependencies(client, tenantId, botId, dependenciesOf(component));
      if (missing.length) {
        throw new ValidationError(
          'the component references components that are not in the draft',
          missing.map((r) => ({ path: '$.refs', message: `${r.kind} '${r.name}'${r.locale ? ` in locale ${r.locale}` : ''} does not exist` })),
        );
      }
      const { rows } = await client.query<{ inserted: boolean }>(
        `INSERT INTO components (tenant_id, bot_id, version, kind, locale_id, name, body, refs)
         VALUES ($1, $2, 'DRAFT', $3, $4, $5, $6, $7)
         ON CONFLICT (tenant_id, bot_id, version, locale_id, kind, name)
         DO UPDATE SET body = EXCLUDED.body, refs = EXCLUDED.refs
         RETURNING (xmax = 0) AS inserted`,
        [tenantId, botId, component.kind, component.locale ?? '', component.name, component.body, JSON.stringify(component.refs ?? [])],
      );
      await this.touchDraft(client, tenantId, botId);
      return { created: rows[0].inserted };
    });
  }

  /** Removes one DRAFT component, unless another component still depends on it. */
  async deleteComponent(tenantId: string, botId: string, key: ComponentRef): Promise<void> {
    await inTransaction(this.db, async (client) => {
      await this.lockDraft(client, tenantId, botId);
      const { rows } = await client.query<{ kind: string; locale_id: string; name: string; body: Record<string, unknown>; refs: ComponentRef[] }>(
        `SELECT kind, locale_id, name, body, refs FROM components
          WHERE tenant_id = $1 AND bot_id = $2 AND version = 'DRAFT'
            AND (refs @> $3::jsonb OR (kind = 'intent' AND locale_id = $4) OR ($5 = 'locale' AND locale_id = $4 AND kind <> 'locale'))`,
        [tenantId, botId, JSON.stringify([{ kind: key.kind, name: key.name }]), key.locale ?? '', key.kind],
      );
      const target = componentKey(key);
      const dependants = rows.filter((r) =>
        dependenciesOf({ kind: r.kind as Component['kind'], locale: r.locale_id || undefined, name: r.name, body: r.body, refs: r.refs }).some(
          (d) => componentKey(d) === target,
        ),
      );
      if (dependants.length) {
        const names = dependants
          .slice(0, 5)
          .map((d) => `${d.kind} '${d.name}'`)
          .join(', ');
        throw new ConflictError(`${key.kind} '${key.name}' is still referenced by ${names}`);
      }
      const { rowCount } = await client.query(
        `DELETE FROM components WHERE tenant_id = $1 AND bot_id = $2 AND version = 'DRAFT' AND kind = $3 AND locale_id = $4 AND name = $5`,
        [tenantId, botId, key.kind, key.locale ?? '', key.name],
      );
      if (!rowCount) throw new NotFoundError(`${key.kind} '${key.name}' is not in the draft`);
      await this.touchDraft(client, tenantId, botId);
    });
  }

  /** Copies the DRAFT to the next numbered, immutable version. */
  async publish(tenantId: string, botId: string, description = ''): Promise<BotVersion> {
    return inTransaction(this.db, async (client) => {
      await this.lockDraft(client, tenantId, botId);
      const { rows } = await client.query<{ next: string }>(
        `SELECT (coalesce(max(version::int) FILTER (WHERE version <> 'DRAFT'), 0) + 1)::text AS next
           FROM bot_versions WHERE tenant_id = $1 AND bot_id = $2`,
        [tenantId, botId],
      );
      const version = rows[0].next;
      const inserted = await client.query<{ created_at: Date; updated_at: Date }>(
        `INSERT INTO bot_versions (tenant_id, bot_id, version, description) VALUES ($1, $2, $3, $4) RETURNING created_at, updated_at`,
        [tenantId, botId, version, description],
      );
      await client.query(
        `INSERT INTO components (tenant_id, bot_id, version, kind, locale_id, name, body, refs)
         SELECT tenant_id, bot_id, $3, kind, locale_id, name, body, refs FROM components
          WHERE tenant_id = $1 AND bot_id = $2 AND version = 'DRAFT'`,
        [tenantId, botId, version],
      );
      const r = inserted.rows[0];
      return { version, description, createdAt: r.created_at.toISOString(), updatedAt: r.updated_at.toISOString() };
    });
  }

  async listVersions(tenantId: string, botId: string): Promise<BotVersion[]> {
    await this.get(tenantId, botId);
    const { rows } = await this.db.query<{ version: string; description: string; created_at: Date; updated_at: Date }>(
      `SELECT version, description, created_at, updated_at FROM bot_versions
        WHERE tenant_id = $1 AND bot_id = $2
        ORDER BY (version = 'DRAFT') DESC, CASE WHEN version <> 'DRAFT' THEN version::int END DESC`,
      [tenantId, botId],
    );
    return rows.map((r) => ({ version: r.version, description: r.description, createdAt: r.created_at.toISOString(), updatedAt: r.updated_at.toISOString() }));
  }

  async version(tenantId: string, botId: string, version: string): Promise<BotVersion> {
    await this.get(tenantId, botId);
    const { rows } = await this.db.query<{ description: string; created_at: Date; updated_at: Date }>(
      'SELECT description, created_at, updated_at FROM bot_versions WHERE tenant_id = $1 AND bot_id = $2 AND version = $3',
      [tenantId, botId, version],
    );
    if (!rows.length) throw new NotFoundError(`bot ${botId} has no version ${version}`);
    const r = rows[0];
    return { version, description: r.description, createdAt: r.created_at.toISOString(), updatedAt: r.updated_at.toISOString() };
  }

  /** A version's locales (one, when `localeId` is given) with their intent and slot type counts; the version must exist. */
  async locales(tenantId: string, botId: string, version: string, localeId?: string): Promise<{ version: BotVersion; locales: LocaleSummary[] }> {
    const v = await this.version(tenantId, botId, version);
    const { rows } = await this.db.query<{ locale_id: string; body: Record<string, unknown>; intents: number; slot_types: number }>(
      `SELECT l.name AS locale_id, l.body,
              count(*) FILTER (WHERE c.kind = 'intent')::int AS intents, count(*) FILTER (WHERE c.kind = 'slotType')::int AS slot_types
         FROM components l
         LEFT JOIN components c ON c.tenant_id = l.tenant_id AND c.bot_id = l.bot_id AND c.version = l.version
                               AND c.locale_id = l.name AND c.kind IN ('intent', 'slotType')
        WHERE l.tenant_id = $1 AND l.bot_id = $2 AND l.version = $3 AND l.kind = 'locale' AND ($4::text IS NULL OR l.name = $4)
        GROUP BY l.name, l.body ORDER BY l.name COLLATE "C"`,
      [tenantId, botId, version, localeId ?? null],
    );
    return { version: v, locales: rows.map((r) => ({ localeId: r.locale_id, body: r.body, intents: r.intents, slotTypes: r.slot_types })) };
  }

  /** Names and counts only, never bodies: cheap for a bot of any size. */
  async outline(tenantId: string, botId: string, version: string): Promise<VersionOutline> {
    await this.get(tenantId, botId);
    if (!(await this.versionExists(tenantId, botId, version))) throw new NotFoundError(`bot ${botId} has no version ${version}`);
    const names = await this.db.query<{ kind: string; name: string }>(
      `SELECT kind, name FROM components
        WHERE tenant_id = $1 AND bot_id = $2 AND version = $3 AND kind IN ('locale', 'dialog', 'alert', 'action')
        ORDER BY kind, name COLLATE "C"`,
      [tenantId, botId, version],
    );
    const counts = await this.db.query<{ kind: string; n: number }>(
      `SELECT kind, count(*)::int AS n FROM components WHERE tenant_id = $1 AND bot_id = $2 AND version = $3 GROUP BY kind ORDER BY kind`,
      [tenantId, botId, version],
    );
    const of = (kind: string) => names.rows.filter((r) => r.kind === kind).map((r) => r.name);
    return {
      version,
      locales: of('locale'),
      tasks: { dialogs: of('dialog'), alerts: of('alert'), actions: of('action') },
      counts: Object.fromEntries(counts.rows.map((r) => [r.kind, r.n])),
    };
  }

  /** The highest published version, or undefined when the bot was never published. */
  async latestPublishedVersion(tenantId: string, botId: string): Promise<string | undefined> {
    const { rows } = await this.db.query<{ v: string | null }>(
      `SELECT max(version::int)::text AS v FROM bot_versions WHERE tenant_id = $1 AND bot_id = $2 AND version <> 'DRAFT'`,
      [tenantId, botId],
    );
    return rows[0].v ?? undefined;
  }

  async versionExists(tenantId: string, botId: string, version: string): Promise<boolean> {
    const { rowCount } = await this.db.query('SELECT 1 FROM bot_versions WHERE tenant_id = $1 AND bot_id = $2 AND version = $3', [tenantId, botId, version]);
    return !!rowCount;
  }

  async localeExists(tenantId: string, botId: string, version: string, localeId: string): Promise<boolean> {
    const { rowCount } = await this.db.query(
      `SELECT 1 FROM components WHERE tenant_id = $1 AND bot_id = $2 AND version = $3 AND kind = 'locale' AND locale_id = $4 AND name = $4`,
      [tenantId, botId, version, localeId],
    );
    return !!rowCount;
  }

  /** Serialises writers of one bot's DRAFT; 404 when the bot is not the tenant's. */
  async lockDraft(client: PoolClient, tenantId: string, botId: string): Promise<{ botId: string; name: string }> {
    const { rows } = await client.query<{ name: string }>(
      `SELECT b.name FROM bot_versions v JOIN bots b USING (tenant_id, bot_id)
        WHERE v.tenant_id = $1 AND v.bot_id = $2 AND v.version = 'DRAFT' FOR UPDATE OF v`,
      [tenantId, botId],
    );
    if (!rows.length) throw new NotFoundError(`bot ${botId} was not found`);
    return { botId, name: rows[0].name };
  }

  /** Marks the DRAFT changed (its revision moves by one); with a description, sets the bot's too. */
  async touchDraft(client: PoolClient, tenantId: string, botId: string, description?: string): Promise<void> {
    await client.query(`UPDATE bot_versions SET updated_at = now(), revision = revision + 1 WHERE tenant_id = $1 AND bot_id = $2 AND version = 'DRAFT'`, [
      tenantId,
      botId,
    ]);
    if (description !== undefined) {
      await client.query(`UPDATE bots SET description = $3, updated_at = now() WHERE tenant_id = $1 AND bot_id = $2`, [tenantId, botId, description]);
    }
  }

  /** The DRAFT's revision: a counter every change of the DRAFT moves (see touchDraft). */
  async draftRevision(db: Pool | PoolClient, tenantId: string, botId: string): Promise<number> {
    const { rows } = await db.query<{ revision: string }>(`SELECT revision FROM bot_versions WHERE tenant_id = $1 AND bot_id = $2 AND version = 'DRAFT'`, [
      tenantId,
      botId,
    ]);
    if (!rows.length) throw new NotFoundError(`bot ${botId} was not found`);
    return Number(rows[0].revision);
  }

  async findByName(client: PoolClient, tenantId: string, name: string): Promise<{ botId: string; name: string } | undefined> {
    const { rows } = await client.query<{ bot_id: string }>('SELECT bot_id FROM bots WHERE tenant_id = $1 AND name = $2', [tenantId, name]);
    return rows[0] && { botId: rows[0].bot_id, name };
  }

  /** `name`, or the first of `name (2)`, `name (3)`… that no bot of the tenant has. */
  async freeName(client: PoolClient, tenantId: string, name: string): Promise<string> {
    const { rows } = await client.query<{ name: string }>(`SELECT name FROM bots WHERE tenant_id = $1 AND (name = $2 OR starts_with(name, $2 || ' ('))`, [
      tenantId,
      name,
    ]);
    const taken = new Set(rows.map((r) => r.name));
    let candidate = name;
    for (let n = 2; taken.has(candidate); n++) candidate = `${name} (${n})`;
    return candidate;
  }

  private async missingDependencies(client: PoolClient, tenantId: string, botId: string, deps: ComponentRef[]): Promise<ComponentRef[]> {
    if (!deps.length) return [];
    const { rows } = await client.query<{ i: number }>(
      `SELECT d.i FROM jsonb_to_recordset($3::jsonb) AS d(i int, kind text, locale_id text, name text)
        WHERE NOT EXISTS (SELECT 1 FROM components c WHERE c.tenant_id = $1 AND c.bot_id = $2 AND c.version = 'DRAFT'
                            AND c.kind = d.kind AND c.locale_id = d.locale_id AND c.name = d.name)`,
      [tenantId, botId, JSON.stringify(deps.map((d, i) => ({ i, kind: d.kind, locale_id: isLocaleScoped(d.kind) ? (d.locale ?? '') : '', name: d.name })))],
    );
    return rows.map((r) => deps[r.i]);
  }
}

import type { Pool } from 'pg';
import { assertBotAllowed, type Principal } from '../auth/tokens';
import { ForbiddenError, NotFoundError, ValidationError } from '../errors';
import { CATEGORY_ITEMS } from '../exports/selection';
import type { Bot, BotQuery, BotStore, BotSummary, BotVersion, LocaleSummary, VersionOutline } from './bot-store';
import { checkComponent, type Component, type ComponentRef, type DefinitionDocument } from './definition';
import { definitionJson } from './definition-stream';
import { replaceDraft } from './draft-import';
import { isKind } from './kinds';
import { type SnapshotHeader, withSnapshot } from './snapshot';

/** Each export category and the items it may be narrowed to, for a version's outline. */
const CATEGORY_NAMES = Object.fromEntries(Object.entries(CATEGORY_ITEMS).map(([category, items]) => [category, Object.keys(items)]));

/**
 * The one place that decides about bots for a caller: every call takes the
 * verified principal, scopes the store by its tenant and keeps a bot token
 * to its own bot (anything else is not found). Surfaces translate their
 * requests to these calls; none reaches the store or a snapshot by itself.
 */
export class BotService {
  constructor(private readonly deps: { db: Pool; bots: BotStore }) {}

  async create(p: Principal, input: { name: string; description?: string }): Promise<Bot> {
    if (p.botId) throw new ForbiddenError('a bot token acts on its own bot only; it cannot create bots');
    return this.deps.bots.create(p.tenantId, input);
  }

  /** A page of the tenant's bots; a bot token's page holds its bot alone, with no next page. */
  async list(p: Principal, limit: number, cursor?: string): Promise<{ bots: Bot[]; nextCursor?: string }> {
    if (!p.botId) return this.deps.bots.list(p.tenantId, limit, cursor);
    if (cursor) return { bots: [] };
    const own = await this.deps.bots.get(p.tenantId, p.botId).catch((err) => {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    });
    return { bots: own ? [own] : [] };
  }

  /** The tenant's bots searched by name (Lex's ListBots); a bot token finds its bot alone. */
  search(p: Principal, q: Omit<BotQuery, 'botId'>): Promise<{ bots: BotSummary[]; more: boolean }> {
    return this.deps.bots.search(p.tenantId, { ...q, botId: p.botId });
  }

  /** A version's locales with their counts, or the one asked for. */
  locales(p: Principal, botId: string, version: string, localeId?: string): Promise<{ version: BotVersion; locales: LocaleSummary[] }> {
    return this.deps.bots.locales(p.tenantId, this.allowed(p, botId), version, localeId);
  }

  get(p: Principal, botId: string): Promise<Bot> {
    return this.deps.bots.get(p.tenantId, this.allowed(p, botId));
  }

  delete(p: Principal, botId: string): Promise<void> {
    return this.deps.bots.delete(p.tenantId, this.allowed(p, botId));
  }

  /** Replaces the DRAFT with a validated document, in one transaction. */
  async replaceDraft(p: Principal, botId: string, doc: DefinitionDocument): Promise<{ components: number }> {
    await replaceDraft(this.deps.db, this.deps.bots, p.tenantId, this.allowed(p, botId), doc);
    return { components: doc.components.length };
  }

  /** Checks one component on its own, then upserts it into the DRAFT. */
  async upsertComponent(
    p: Principal,
    botId: string,
    input: { kind: string; name: string; locale?: string; body: unknown; refs?: unknown },
  ): Promise<{ component: Component; created: boolean }> {
    const { component, errors } = checkComponent(input, []);
    if (!component) throw new ValidationError('the component is invalid', errors);
    const { created } = await this.deps.bots.upsertComponent(p.tenantId, this.allowed(p, botId), component);
    return { component, created };
  }

  async deleteComponent(p: Principal, botId: string, key: { kind: string; name: string; locale?: string }): Promise<void> {
    if (!isKind(key.kind)) throw new NotFoundError(`there is no component kind '${key.kind}'`);
    const ref: ComponentRef = { kind: key.kind, name: key.name.normalize('NFC'), locale: key.locale };
    await this.deps.bots.deleteComponent(p.tenantId, this.allowed(p, botId), ref);
  }

  publish(p: Principal, botId: string, description: string): Promise<BotVersion> {
    return this.deps.bots.publish(p.tenantId, this.allowed(p, botId), description);
  }

  versions(p: Principal, botId: string): Promise<BotVersion[]> {
    return this.deps.bots.listVersions(p.tenantId, this.allowed(p, botId));
  }

  /** The highest published version, or NotFound naming what to do. */
  async latestPublished(p: Principal, botId: string): Promise<string> {
    await this.get(p, botId);
    const published = await this.deps.bots.latestPublishedVersion(p.tenantId, botId);
    if (!published) throw new NotFoundError(`bot ${botId} has no published version; export 'latest' or publish it first`);
    return published;
  }

  async outline(p: Principal, botId: string, version: string): Promise<VersionOutline & { categories: Record<string, string[]> }> {
    return { ...(await this.deps.bots.outline(p.tenantId, this.allowed(p, botId), version)), categories: CATEGORY_NAMES };
  }

  /** One version as definition-document JSON text, from one snapshot, handed to `use` chunk by chunk. */
  definition<T>(p: Principal, botId: string, version: string, use: (header: SnapshotHeader, json: AsyncIterable<string>) => Promise<T>): Promise<T> {
    return withSnapshot(this.deps.db, p.tenantId, this.allowed(p, botId), version, (snapshot) => use(snapshot.header, definitionJson(snapshot)));
  }

  private allowed(p: Principal, botId: string): string {
    assertBotAllowed(p, botId);
    return botId;
  }
}

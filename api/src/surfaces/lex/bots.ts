import { type Bot, type BotService, type BotSummary, type BotVersion, type LocaleSummary, NotFoundError, textProblem, ValidationError } from '@botport/shared';
import { type Request, Router } from 'express';
import { z } from 'zod';
import { requireScope } from '../../http/auth';
import { botIdSchema, botVersionSchema, epoch, epochSeconds, localeIdSchema } from '../../http/fields';
import { parse } from '../../http/validate';

const order = z.enum(['Ascending', 'Descending']);
const maxResults = z.number().int().min(1).max(1000).optional();
const nextToken = z.string().max(2048).optional();
const filter = <N extends string>(name: z.ZodType<N>, operators: [string, ...string[]]) =>
  z
    .array(z.object({ name, values: z.array(z.string().min(1)).length(1), operator: z.enum(operators) }).strict())
    .max(1)
    .optional();

export const listBots = z
  .object({
    sortBy: z
      .object({ attribute: z.literal('BotName'), order })
      .strict()
      .optional(),
    filters: filter(z.enum(['BotName', 'BotType']), ['CO', 'EQ', 'NE']),
    maxResults,
    nextToken,
  })
  .strict();

export const listBotVersions = z
  .object({
    sortBy: z
      .object({ attribute: z.literal('BotVersion'), order })
      .strict()
      .optional(),
    maxResults,
    nextToken,
  })
  .strict();

export const listBotLocales = z
  .object({
    sortBy: z
      .object({ attribute: z.literal('BotLocaleName'), order })
      .strict()
      .optional(),
    filters: filter(z.literal('BotLocaleName'), ['CO', 'EQ']),
    maxResults,
    nextToken,
  })
  .strict();

const botSummaryView = z.object({
  botId: z.string(),
  botName: z.string(),
  description: z.string(),
  botStatus: z.string(),
  latestBotVersion: z.string().nullable().optional(),
  lastUpdatedDateTime: epochSeconds,
  botType: z.literal('Bot'),
});
export const listBotsResponse = z.object({ botSummaries: z.array(botSummaryView), nextToken: z.string().optional() });
export const describeBotResponse = z.object({
  botId: z.string(),
  botName: z.string(),
  description: z.string(),
  dataPrivacy: z.object({ childDirected: z.boolean() }),
  idleSessionTTLInSeconds: z.number().int(),
  botStatus: z.string(),
  creationDateTime: epochSeconds,
  lastUpdatedDateTime: epochSeconds,
  botType: z.literal('Bot'),
  botMembers: z.array(z.unknown()),
  failureReasons: z.array(z.string()),
});
export const listBotVersionsResponse = z.object({
  botId: z.string(),
  botVersionSummaries: z.array(
    z.object({ botName: z.string(), botVersion: z.string(), description: z.string(), botStatus: z.string(), creationDateTime: epochSeconds }),
  ),
  nextToken: z.string().optional(),
});
const localeSummaryView = z.object({
  localeId: z.string(),
  localeName: z.string(),
  description: z.string().optional(),
  botLocaleStatus: z.enum(['Built', 'NotBuilt']),
  lastUpdatedDateTime: epochSeconds,
});
export const listBotLocalesResponse = z.object({
  botId: z.string(),
  botVersion: z.string(),
  botLocaleSummaries: z.array(localeSummaryView),
  nextToken: z.string().optional(),
});
export const describeBotLocaleResponse = z.object({
  botId: z.string(),
  botVersion: z.string(),
  localeId: z.string(),
  localeName: z.string(),
  description: z.string().optional(),
  nluIntentConfidenceThreshold: z.number().optional(),
  voiceSettings: z.unknown().optional(),
  intentsCount: z.number().int(),
  slotTypesCount: z.number().int(),
  botLocaleStatus: z.enum(['Built', 'NotBuilt']),
  failureReasons: z.array(z.string()),
  creationDateTime: epochSeconds,
  lastUpdatedDateTime: epochSeconds,
});

/** Lex's own status words: botport has no build step, so a published version's locales are Built and the DRAFT's NotBuilt. */
const BOT_STATUS = 'Available';
const localeStatus = (version: string) => (version === 'DRAFT' ? 'NotBuilt' : 'Built');
const DEFAULT_PAGE = 50;
const languages = new Intl.DisplayNames(['en'], { type: 'language', languageDisplay: 'standard' });

/** `en_US` → `English (United States)`, as Lex names its locales. */
function localeName(localeId: string): string {
  try {
    return languages.of(localeId.replace(/_/g, '-')) ?? localeId;
  } catch {
    return localeId;
  }
}

/** Offsets for short listings (a bot's versions, a version's locales); the bot listing pages by name instead. */
const offsetToken = (n: number) => Buffer.from(`o:${n}`).toString('base64url');
function offsetOf(token: string | undefined): number {
  if (token === undefined) return 0;
  const m = /^o:(\d{1,9})$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!m) throw new ValidationError('nextToken is not valid for this request');
  return Number(m[1]);
}

function page<T>(items: T[], body: { maxResults?: number; nextToken?: string }): { items: T[]; nextToken?: string } {
  const start = offsetOf(body.nextToken);
  const end = start + (body.maxResults ?? DEFAULT_PAGE);
  return { items: items.slice(start, end), nextToken: end < items.length ? offsetToken(end) : undefined };
}

/** Every bot here is of type Bot (none is a BotNetwork): a BotType filter keeps them all or none. */
function keepsBots(operator: string, value: string): boolean {
  return operator === 'EQ' ? value === 'Bot' : operator === 'NE' ? value !== 'Bot' : 'Bot'.includes(value);
}

const botIdOf = (req: Request) => parse(botIdSchema, String(req.params.botId), 'the botId');

const versionOf = (req: Request) => parse(botVersionSchema, String(req.params.botVersion), 'the botVersion');

const botSummary = (b: BotSummary): z.infer<typeof botSummaryView> => ({
  botId: b.botId,
  botName: b.name,
  description: b.description,
  botStatus: BOT_STATUS,
  latestBotVersion: b.latestVersion,
  lastUpdatedDateTime: epoch(new Date(b.updatedAt)),
  botType: 'Bot',
});

const describedBot = (b: Bot): z.infer<typeof describeBotResponse> => ({
  botId: b.botId,
  botName: b.name,
  description: b.description,
  dataPrivacy: { childDirected: false },
  idleSessionTTLInSeconds: 300,
  botStatus: BOT_STATUS,
  creationDateTime: epoch(new Date(b.createdAt)),
  lastUpdatedDateTime: epoch(new Date(b.updatedAt)),
  botType: 'Bot',
  botMembers: [],
  failureReasons: [],
});

function localeSummary(l: LocaleSummary, v: BotVersion): z.infer<typeof localeSummaryView> {
  return {
    localeId: l.localeId,
    localeName: localeName(l.localeId),
    description: typeof l.body.description === 'string' ? l.body.description : undefined,
    botLocaleStatus: localeStatus(v.version),
    lastUpdatedDateTime: epoch(new Date(v.updatedAt)),
  };
}

/** Amazon Lex V2's bot reads around exports (ListBots, DescribeBot, ListBotVersions, ListBotLocales, DescribeBotLocale), from the bot store. */
export function lexBotsRouter(bots: BotService): Router {
  const r = Router();
  const read = requireScope('bots:read');

  // ListBots
  r.post('/bots/', read, async (req, res) => {
    const body = parse(listBots, req.body ?? {});
    const principal = res.locals.principal;
    const f = body.filters?.[0];
    const noneOfType = f?.name === 'BotType' && !keepsBots(f.operator, f.values[0]);
    const after = body.nextToken === undefined ? undefined : Buffer.from(body.nextToken, 'base64url').toString('utf8');
    if (after !== undefined && textProblem(after)) throw new ValidationError('nextToken is not valid for this request');
    const { bots: found, more } = noneOfType
      ? { bots: [], more: false }
      : await bots.search(principal, {
          nameFilter: f?.name === 'BotName' ? { operator: f.operator as 'EQ' | 'CO' | 'NE', value: f.values[0] } : undefined,
          order: body.sortBy?.order ?? 'Ascending',
          limit: body.maxResults ?? DEFAULT_PAGE,
          after,
        });
    const last = found[found.length - 1];
    res.json({ botSummaries: found.map(botSummary), nextToken: more && last ? Buffer.from(last.name, 'utf8').toString('base64url') : undefined });
  });

  // DescribeBot
  r.get('/bots/:botId/', read, async (req, res) => {
    res.json(describedBot(await bots.get(res.locals.principal, botIdOf(req))));
  });

  // ListBotVersions (the DRAFT included, as Lex lists it)
  r.post('/bots/:botId/botversions/', read, async (req, res) => {
    const body = parse(listBotVersions, req.body ?? {});
    const botId = botIdOf(req);
    const bot = await bots.get(res.locals.principal, botId);
    const versions = await bots.versions(res.locals.principal, botId);
    const ordered = body.sortBy?.order === 'Ascending' ? [...versions].reverse() : versions;
    const { items, nextToken: next } = page(ordered, body);
    res.json({
      botId,
      botVersionSummaries: items.map((v) => ({
        botName: bot.name,
        botVersion: v.version,
        description: v.description,
        botStatus: BOT_STATUS,
        creationDateTime: epoch(new Date(v.createdAt)),
      })),
      nextToken: next,
    });
  });

  // ListBotLocales
  r.post('/bots/:botId/botversions/:botVersion/botlocales/', read, async (req, res) => {
    const body = parse(listBotLocales, req.body ?? {});
    const botId = botIdOf(req);
    const { version, locales } = await bots.locales(res.locals.principal, botId, versionOf(req));
    const f = body.filters?.[0];
    const matching = locales
      .map((l) => localeSummary(l, version))
      .filter((l) => !f || (f.operator === 'EQ' ? l.localeName === f.values[0] : l.localeName.includes(f.values[0])))
      .sort((a, b) => a.localeName.localeCompare(b.localeName) * (body.sortBy?.order === 'Descending' ? -1 : 1));
    const { items, nextToken: next } = page(matching, body);
    res.json({ botId, botVersion: version.version, botLocaleSummaries: items, nextToken: next });
  });

  // DescribeBotLocale
  r.get('/bots/:botId/botversions/:botVersion/botlocales/:localeId/', read, async (req, res) => {
    const botId = botIdOf(req);
    const localeId = parse(localeIdSchema, String(req.params.localeId), 'the localeId');
    const { version, locales } = await bots.locales(res.locals.principal, botId, versionOf(req), localeId);
    const locale = locales[0];
    if (!locale) throw new NotFoundError(`bot ${botId} version ${version.version} has no locale ${localeId}`);
    const threshold = locale.body.nluIntentConfidenceThreshold ?? locale.body.nluConfidenceThreshold;
    res.json({
      botId,
      botVersion: version.version,
      localeId,
      localeName: localeName(localeId),
      description: typeof locale.body.description === 'string' ? locale.body.description : undefined,
      nluIntentConfidenceThreshold: typeof threshold === 'number' ? threshold : undefined,
      voiceSettings: locale.body.voiceSettings ?? undefined,
      intentsCount: locale.intents,
      slotTypesCount: locale.slotTypes,
      botLocaleStatus: localeStatus(version.version),
      failureReasons: [],
      creationDateTime: epoch(new Date(version.createdAt)),
      lastUpdatedDateTime: epoch(new Date(version.updatedAt)),
    });
  });

  return r;
}

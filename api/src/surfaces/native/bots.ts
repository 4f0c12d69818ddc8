import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import {
  checkComponent,
  definitionJson,
  isKind,
  NotFoundError,
  validateDefinition,
  ValidationError,
  withSnapshot,
  assertBotAllowed,
  VERSION_PATTERN,
  replaceDraft,
  CATEGORY_ITEMS,
  nameSchema,
} from '@botport/shared';
import { type Request, type Response, Router } from 'express';
import { z } from 'zod';
import type { ApiContext } from '../../context';
import { requireScope } from '../../http/auth';
import { parse } from '../../http/validate';

export const createBot = z.object({ name: nameSchema, description: z.string().max(2000).optional() }).strict();
export const listQuery = z.object({ limit: z.coerce.number().int().min(1).max(100).default(50), cursor: z.string().max(400).optional() });
export const componentBody = z.object({ body: z.record(z.string(), z.unknown()), refs: z.array(z.unknown()).optional() }).strict();

/** The bot id from the path, checked against the token's bot claim. */
function botIdOf(req: Request, res: Response): string {
  const botId = String(req.params.botId);
  assertBotAllowed(res.locals.principal, botId);
  return botId;
}

/** Each export category and the items it may be narrowed to, for the outline. */
const CATEGORY_NAMES = Object.fromEntries(Object.entries(CATEGORY_ITEMS).map(([category, items]) => [category, Object.keys(items)]));

function versionOf(req: Request): string {
  const version = String(req.params.version);
  if (!VERSION_PATTERN.test(version)) throw new ValidationError(`version must be DRAFT or a published number, not '${version}'`);
  return version;
}

/** `/v1/bots…`: the native bot store. */
export function botsRouter(ctx: ApiContext): Router {
  const r = Router();
  const read = requireScope('bots:read');
  const write = requireScope('bots:write');

  r.post('/', write, async (req, res) => {
    const input = parse(createBot, req.body);
    const bot = await ctx.bots.create(res.locals.principal.tenantId, input);
    res.status(201).location(`/v1/bots/${bot.botId}`).json(bot);
  });

  r.get('/', read, async (req, res) => {
    const q = parse(listQuery, req.query, 'the query');
    const { bots, nextCursor } = await ctx.bots.list(res.locals.principal.tenantId, q.limit, q.cursor);
    const visible = res.locals.principal.botId ? bots.filter((b) => b.botId === res.locals.principal.botId) : bots;
    res.json({ bots: visible, nextCursor });
  });

  r.get('/:botId', read, async (req, res) => {
    res.json(await ctx.bots.get(res.locals.principal.tenantId, botIdOf(req, res)));
  });

  r.delete('/:botId', write, async (req, res) => {
    await ctx.bots.delete(res.locals.principal.tenantId, botIdOf(req, res));
    res.status(204).end();
  });

  r.put('/:botId/versions/DRAFT', write, async (req, res) => {
    const doc = validateDefinition(req.body);
    const botId = botIdOf(req, res);
    await replaceDraft(ctx.db, ctx.bots, res.locals.principal.tenantId, botId, doc);
    res.json({ botId, version: 'DRAFT', components: doc.components.length });
  });

  r.put('/:botId/versions/DRAFT/components/:kind/:name', write, async (req, res) => {
    const input = parse(componentBody, req.body);
    const locale = typeof req.query.locale === 'string' ? req.query.locale : undefined;
    const { component, errors } = checkComponent({ kind: req.params.kind, name: req.params.name, locale, ...input }, []);
    if (!component) throw new ValidationError('the component is invalid', errors);
    const { created } = await ctx.bots.upsertComponent(res.locals.principal.tenantId, botIdOf(req, res), component);
    res.status(created ? 201 : 200).json(component);
  });

  r.delete('/:botId/versions/DRAFT/components/:kind/:name', write, async (req, res) => {
    const kind = String(req.params.kind);
    if (!isKind(kind)) throw new NotFoundError(`there is no component kind '${kind}'`);
    const locale = typeof req.query.locale === 'string' ? req.query.locale : undefined;
    await ctx.bots.deleteComponent(res.locals.principal.tenantId, botIdOf(req, res), { kind, name: String(req.params.name), locale });
    res.status(204).end();
  });

  r.post('/:botId/versions', write, async (req, res) => {
    const botId = botIdOf(req, res);
    const description = typeof req.body?.description === 'string' ? req.body.description.slice(0, 2000) : '';
    const v = await ctx.bots.publish(res.locals.principal.tenantId, botId, description);
    res.status(201).location(`/v1/bots/${botId}/versions/${v.version}`).json(v);
  });

  r.get('/:botId/versions', read, async (req, res) => {
    res.json({ versions: await ctx.bots.listVersions(res.locals.principal.tenantId, botIdOf(req, res)) });
  });

  r.get('/:botId/versions/:version/outline', read, async (req, res) => {
    const version = versionOf(req);
    const outline = await ctx.bots.outline(res.locals.principal.tenantId, botIdOf(req, res), version);
    res.json({ ...outline, categories: CATEGORY_NAMES });
  });

  r.get('/:botId/versions/:version', read, async (req, res) => {
    const version = versionOf(req);
    await withSnapshot(ctx.db, res.locals.principal.tenantId, botIdOf(req, res), version, async (snapshot) => {
      res.type('application/json');
      await pipeline(Readable.from(definitionJson(snapshot)), res);
    });
  });

  return r;
}

import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { COMPONENT_KINDS, componentSchema, nameSchema, validateDefinition } from '@botport/shared';
import { type Request, Router } from 'express';
import { z } from 'zod';
import type { ApiContext } from '../../context';
import { requireScope } from '../../http/auth';
import { botVersionSchema, isoTime } from '../../http/fields';
import { parse } from '../../http/validate';

export const createBot = z.object({ name: nameSchema, description: z.string().max(2000).optional() }).strict();
export const listQuery = z.object({ limit: z.coerce.number().int().min(1).max(100).default(50), cursor: z.string().max(400).optional() });
export const componentBody = z.object({ body: z.record(z.string(), z.unknown()), refs: z.array(z.unknown()).optional() }).strict();
export const publishBody = z.object({ description: z.string().max(2000).optional() }).strict();

export const botView = z.object({ botId: z.string(), name: z.string(), description: z.string(), createdAt: isoTime, updatedAt: isoTime });
export const botList = z.object({ bots: z.array(botView), nextCursor: z.string().optional() });
export const versionView = z.object({ version: z.string(), description: z.string(), createdAt: isoTime, updatedAt: isoTime });
export const versionList = z.object({ versions: z.array(versionView) });
export const draftReplaced = z.object({ botId: z.string(), version: z.literal('DRAFT'), components: z.number().int() });
export const componentView = componentSchema;
/** What an export of a version can be narrowed to: names and counts, never bodies. */
export const outlineView = z.object({
  version: z.string(),
  locales: z.array(z.string()),
  tasks: z.object({ dialogs: z.array(z.string()), alerts: z.array(z.string()), actions: z.array(z.string()) }),
  counts: z.partialRecord(z.enum(COMPONENT_KINDS as [string, ...string[]]), z.number().int()),
  categories: z.record(z.string(), z.array(z.string())),
});

const versionOf = (req: Request) => parse(botVersionSchema, String(req.params.version), 'the version');
const localeOf = (req: Request) => (typeof req.query.locale === 'string' ? req.query.locale : undefined);

/** `/v1/bots…`: the native bot store, through the core's BotService. */
export function botsRouter(ctx: ApiContext): Router {
  const r = Router();
  const read = requireScope('bots:read');
  const write = requireScope('bots:write');
  const bots = ctx.botService;

  r.post('/', write, async (req, res) => {
    const bot = await bots.create(res.locals.principal, parse(createBot, req.body));
    res.status(201).location(`/v1/bots/${bot.botId}`).json(bot);
  });

  r.get('/', read, async (req, res) => {
    const q = parse(listQuery, req.query, 'the query');
    res.json(await bots.list(res.locals.principal, q.limit, q.cursor));
  });

  r.get('/:botId', read, async (req, res) => {
    res.json(await bots.get(res.locals.principal, String(req.params.botId)));
  });

  r.delete('/:botId', write, async (req, res) => {
    await bots.delete(res.locals.principal, String(req.params.botId));
    res.status(204).end();
  });

  r.put('/:botId/versions/DRAFT', write, async (req, res) => {
    const botId = String(req.params.botId);
    const { components } = await bots.replaceDraft(res.locals.principal, botId, validateDefinition(req.body));
    res.json({ botId, version: 'DRAFT', components });
  });

  r.put('/:botId/versions/DRAFT/components/:kind/:name', write, async (req, res) => {
    const input = { kind: String(req.params.kind), name: String(req.params.name), locale: localeOf(req), ...parse(componentBody, req.body) };
    const { component, created } = await bots.upsertComponent(res.locals.principal, String(req.params.botId), input);
    res.status(created ? 201 : 200).json(component);
  });

  r.delete('/:botId/versions/DRAFT/components/:kind/:name', write, async (req, res) => {
    const key = { kind: String(req.params.kind), name: String(req.params.name), locale: localeOf(req) };
    await bots.deleteComponent(res.locals.principal, String(req.params.botId), key);
    res.status(204).end();
  });

  r.post('/:botId/versions', write, async (req, res) => {
    const botId = String(req.params.botId);
    const v = await bots.publish(res.locals.principal, botId, parse(publishBody, req.body ?? {}).description ?? '');
    res.status(201).location(`/v1/bots/${botId}/versions/${v.version}`).json(v);
  });

  r.get('/:botId/versions', read, async (req, res) => {
    res.json({ versions: await bots.versions(res.locals.principal, String(req.params.botId)) });
  });

  r.get('/:botId/versions/:version/outline', read, async (req, res) => {
    res.json(await bots.outline(res.locals.principal, String(req.params.botId), versionOf(req)));
  });

  r.get('/:botId/versions/:version', read, async (req, res) => {
    await bots.definition(res.locals.principal, String(req.params.botId), versionOf(req), async (_header, json) => {
      res.type('application/json');
      await pipeline(Readable.from(json), res);
    });
  });

  return r;
}

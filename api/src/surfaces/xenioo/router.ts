import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { definitionDocumentView, ForbiddenError, UnauthorizedError, takeOncePer, validateDefinition, ValidationError } from '@botport/shared';
import { type Response, Router } from 'express';
import { z } from 'zod';
import type { ApiContext } from '../../context';
import { authenticate } from '../../http/auth';
import { jsonBody } from '../../http/body';
import { guardRequest } from '../../http/input';
import { errorHandler } from '../../http/errors';
import { isoTime } from '../../http/fields';
import { parse } from '../../http/validate';

const BACKUP_WINDOW_SECONDS = 3600;

export const restoreBody = z.object({ botId: z.string(), name: z.string().optional(), exportedAt: z.string().optional(), definition: z.unknown() }).strict();

/** Xenioo answers a bad token or a missing permission with 400, and `{"message"}`. */
export const xeniooErrorBody = z.object({ message: z.string(), errors: z.array(z.object({ path: z.string(), message: z.string() })).optional() });
export const backupView = z.object({ botId: z.string(), name: z.string(), exportedAt: isoTime, definition: definitionDocumentView });
export const restoredView = z.object({ botId: z.string(), restored: z.literal(true), components: z.number().int() });

const xeniooErrorHandler = errorHandler((e, res) => {
  const status = e.code === 'Unauthorized' || e.code === 'Forbidden' ? 400 : e.status;
  res.status(status).json({ message: e.message, ...(e instanceof ValidationError && e.errors.length && { errors: e.errors }) });
});

/** The bot a Xenioo bot token acts on; it needs the `backup` scope. */
function tokenBot(res: Response): string {
  const p = res.locals.principal;
  if (!p.botId) throw new UnauthorizedError('the token is not a bot token (no bot claim)');
  if (!p.scopes.has('backup') && !p.scopes.has('admin')) throw new ForbiddenError("the token lacks the 'backup' scope");
  return p.botId;
}

/** The Xenioo surface: a bot's full backup (throttled to one per hour) and its restore. */
export function xeniooRouter(ctx: ApiContext): Router {
  const r = Router();
  r.use(guardRequest, jsonBody(ctx.config.BODY_LIMIT), authenticate(ctx.config));

  r.get('/backup', async (_req, res) => {
    const botId = tokenBot(res);
    const principal = res.locals.principal;
    const bot = await ctx.botService.get(principal, botId);
    // Counted across every api replica; a call for an unknown bot (404 above) does not count.
    await takeOncePer(ctx.redis, `${ctx.config.QUEUE_PREFIX}:xenioo-backup:${principal.tenantId}:${botId}`, BACKUP_WINDOW_SECONDS, 'bot backups');
    await ctx.botService.definition(principal, botId, 'DRAFT', async (_header, definition) => {
      const head = `{"botId":${JSON.stringify(bot.botId)},"name":${JSON.stringify(bot.name)},"exportedAt":${JSON.stringify(new Date().toISOString())},"definition":`;
      res.status(200).type('application/json');
      await pipeline(
        Readable.from(
          (async function* () {
            yield head;
            yield* definition;
            yield '}\n';
          })(),
        ),
        res,
      );
    });
  });

  r.post('/restore', async (req, res) => {
    const botId = tokenBot(res);
    const body = parse(restoreBody, req.body ?? {}, 'the backup');
    if (body.botId !== botId) throw new ValidationError(`the backup is of bot ${body.botId}, the token is for bot ${botId}`);
    const { components } = await ctx.botService.replaceDraft(res.locals.principal, botId, validateDefinition(body.definition));
    res.json({ botId, restored: true, components });
  });

  r.use(xeniooErrorHandler);
  return r;
}

import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  definitionDocumentView,
  ForbiddenError,
  onceInWindow,
  restoreAsNewBot,
  takeOncePer,
  UnauthorizedError,
  validateDefinition,
  ValidationError,
} from '@botport/shared';
import { type Response, Router } from 'express';
import { z } from 'zod';
import type { ApiContext } from '../../context';
import { authenticateXenioo, hasScope } from '../../http/auth';
import { jsonBody } from '../../http/body';
import { guardRequest } from '../../http/input';
import { errorHandler } from '../../http/errors';
import { isoTime } from '../../http/fields';
import { parse } from '../../http/validate';

/** Xenioo throttles backups and each kind of restore to one call per bot per hour. */
const WINDOW_SECONDS = 3600;

export const restoreBody = z
  .object({ botId: z.string().min(1).max(100), name: z.string().optional(), exportedAt: z.string().optional(), definition: z.unknown() })
  .strict();
export const authorizationBody = z
  .object({
    AccountAPIKey: z.string().min(1).max(200).optional(),
    BotAPIKey: z.string().min(1).max(100).optional(),
    BotAPISecret: z.string().min(1).max(200).optional(),
  })
  .strict();

export const xeniooErrorBody = z.object({ message: z.string(), errors: z.array(z.object({ path: z.string(), message: z.string() })).optional() });
/** A bearer token for /bots/backup and the restores; `expires` in minutes, as Xenioo counts it. */
export const authorizationView = z.object({ token: z.string(), expires: z.number().int() });
export const backupView = z.object({ botId: z.string(), name: z.string(), exportedAt: isoTime, definition: definitionDocumentView });
/** A restore as a new bot: the new bot's own key pair (Xenioo's BotAPIKey and BotAPISecret), shown this once. */
export const restoredAsNewView = z.object({ APIKey: z.string(), APISecret: z.string(), botId: z.string(), name: z.string() });
export const restoredView = z.object({ botId: z.string(), restored: z.literal(true), components: z.number().int() });

/** Xenioo answers a bad token or a missing permission with 400, and `{"message"}`. */
const xeniooErrorHandler = errorHandler((e, res) => {
  const status = e.code === 'Unauthorized' || e.code === 'Forbidden' ? 400 : e.status;
  res.status(status).json({ message: e.message, ...(e instanceof ValidationError && e.errors.length && { errors: e.errors }) });
});

/** Backups and restores need the `backup` scope. */
function requireBackup(res: Response): void {
  if (!hasScope(res.locals.principal, 'backup')) throw new ForbiddenError("the token lacks the 'backup' scope");
}

/** The bot a Xenioo bot token acts on. */
function tokenBot(res: Response): string {
  const p = res.locals.principal;
  if (!p.botId) throw new UnauthorizedError('the token is not a bot token (request one with BotAPIKey and BotAPISecret)');
  requireBackup(res);
  return p.botId;
}

const throttleKey = (ctx: ApiContext, call: string, tenantId: string, botId: string) => `${ctx.config.QUEUE_PREFIX}:xenioo-${call}:${tenantId}:${botId}`;

/** Xenioo's paths; `/bots/restore` covers `/bots/restore/overwrite`. */
const PATHS = ['/authorization/integration', '/bots/backup', '/bots/restore'];

/**
 * The Xenioo surface: the API-key sign-in, a bot's full backup and the two
 * restores (as a new bot, or over the token's bot), each throttled to one
 * call per bot per hour.
 */
export function xeniooRouter(ctx: ApiContext): Router {
  const r = Router();
  r.use(PATHS, guardRequest, jsonBody(ctx.config.BODY_LIMIT));

  r.post('/authorization/integration', async (req, res) => {
    res.json(await ctx.integrationTokens.issue(parse(authorizationBody, req.body ?? {})));
  });

  r.use(['/bots/backup', '/bots/restore'], authenticateXenioo(ctx));

  r.get('/bots/backup', async (_req, res) => {
    const botId = tokenBot(res);
    const principal = res.locals.principal;
    const bot = await ctx.botService.get(principal, botId);
    // Counted across every api replica; a call for an unknown bot (404 above) does not count.
    await takeOncePer(ctx.redis, throttleKey(ctx, 'backup', principal.tenantId, botId), WINDOW_SECONDS, 'bot backups');
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

  // A brand-new bot in the token's tenant, and its new bot key.
  r.post('/bots/restore', async (req, res) => {
    requireBackup(res);
    const principal = res.locals.principal;
    const body = parse(restoreBody, req.body ?? {}, 'the backup');
    const doc = validateDefinition(body.definition);
    if (principal.botId) await ctx.botService.get(principal, principal.botId);
    const key = throttleKey(ctx, 'restore', principal.tenantId, principal.botId ?? body.botId);
    const restored = await onceInWindow(ctx.redis, key, WINDOW_SECONDS, 'bot restores', () =>
      restoreAsNewBot(ctx.db, ctx.bots, ctx.credentials, principal, doc),
    );
    res.json({ APIKey: restored.credential.credentialId, APISecret: restored.credential.secret, botId: restored.botId, name: restored.botName });
  });

  // The token's bot, its DRAFT replaced in one transaction.
  r.post('/bots/restore/overwrite', async (req, res) => {
    const botId = tokenBot(res);
    const principal = res.locals.principal;
    const doc = validateDefinition(parse(restoreBody, req.body ?? {}, 'the backup').definition);
    await ctx.botService.get(principal, botId);
    const key = throttleKey(ctx, 'overwrite', principal.tenantId, botId);
    const { components } = await onceInWindow(ctx.redis, key, WINDOW_SECONDS, 'bot restores', () => ctx.botService.replaceDraft(principal, botId, doc));
    res.json({ botId, restored: true, components });
  });

  r.use(PATHS, xeniooErrorHandler);
  return r;
}

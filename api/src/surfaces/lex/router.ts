import { isSigV4 } from '@botport/shared';
import { type Request, Router } from 'express';
import type { ApiContext } from '../../context';
import { authenticateLex } from '../../http/auth';
import { jsonBody } from '../../http/body';
import { guardRequest } from '../../http/input';
import { lexBotsRouter } from './bots';
import { lexErrorHandler, unknownOperation } from './errors';
import { lexExportsRouter } from './exports';
import { lexImportsRouter } from './imports';

/** Lex's own path prefixes at the root. */
const LEX_PREFIX = /^\/(?:exports|imports|createuploadurl|bots)(?:\/|$)/;
/**
 * Xenioo's paths under the shared `/bots` prefix. Its words (`backup`,
 * `restore`) are never a Lex bot id, which is always 10 characters, so
 * neither surface can take the other's requests.
 */
const XENIOO_PATHS = /^\/bots\/(?:backup|restore|restore\/overwrite)\/?$/;

/**
 * What the Lex surface answers: every request signed with AWS SigV4 (only a
 * Lex client signs that way, whatever path it calls), and every path under
 * Lex's prefixes (`/exports`, `/imports`, `/createuploadurl`, `/bots`) except
 * Xenioo's three under `/bots`. Of these, a path that is no Lex operation
 * answers UnknownOperationException, never a bare 404.
 */
export function isLexRequest(req: Request): boolean {
  return isSigV4(req.headers.authorization) || (LEX_PREFIX.test(req.path) && !XENIOO_PATHS.test(req.path));
}

/** The Amazon Lex V2 surface: AWS's paths at the root, AWS's sign-in and error shape. */
export function lexRouter(ctx: ApiContext): Router {
  const r = Router();
  r.use((req, _res, next) => next(isLexRequest(req) ? undefined : 'router'));
  r.use(guardRequest, jsonBody(ctx.config.BODY_LIMIT), authenticateLex(ctx));
  r.use(lexExportsRouter(ctx.exports));
  r.use(lexImportsRouter(ctx.imports));
  r.use(lexBotsRouter(ctx.botService));
  r.use(unknownOperation);
  r.use(lexErrorHandler);
  return r;
}

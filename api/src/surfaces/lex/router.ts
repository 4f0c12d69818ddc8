import { Router } from 'express';
import type { ApiContext } from '../../context';
import { authenticate } from '../../http/auth';
import { jsonBody } from '../../http/body';
import { guardRequest } from '../../http/input';
import { lexErrorHandler } from './errors';
import { lexExportsRouter } from './exports';
import { lexImportsRouter } from './imports';

const LEX_PATHS = ['/exports', '/imports', '/createuploadurl'];

/** The Amazon Lex V2 surface: AWS's paths at the root, AWS's error shape. */
export function lexRouter(ctx: ApiContext): Router {
  const r = Router();
  r.use(LEX_PATHS, guardRequest, jsonBody(ctx.config.BODY_LIMIT), authenticate(ctx.config));
  r.use(lexExportsRouter(ctx.exports));
  r.use(lexImportsRouter(ctx.imports));
  r.use(LEX_PATHS, lexErrorHandler);
  return r;
}

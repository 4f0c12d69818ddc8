import { backupArchives, BackupService } from '@botport/shared';
import { Router } from 'express';
import type { ApiContext } from '../../context';
import { authenticate } from '../../http/auth';
import { jsonBody } from '../../http/body';
import { guardRequest } from '../../http/input';
import { botsRouter } from './bots';
import { diffsRouter } from './diffs';
import { backupPoliciesRouter } from './backup-policies';
import { credentialsRouter } from './credentials';
import { nativeExportsRouter } from './exports';
import { nativeImportsRouter } from './imports';
import { importUndoRouter } from './import-undo';
import { problemHandler } from './problem';

/** `/v1`: botport's own surface. */
export function nativeRouter(ctx: ApiContext): Router {
  const r = Router();
  r.use(guardRequest, jsonBody(ctx.config.BODY_LIMIT), authenticate(ctx.tokens));
  r.use('/bots', botsRouter(ctx));
  r.use('/credentials', credentialsRouter(ctx));
  r.use('/exports', nativeExportsRouter(ctx));
  r.use('/imports', nativeImportsRouter(ctx));
  r.use('/imports', importUndoRouter(ctx));
  const backups = new BackupService({ ...ctx, settings: ctx.config });
  r.use('/bots', diffsRouter(ctx, backupArchives(backups)));
  r.use('/backup-policies', backupPoliciesRouter(ctx, backups));
  r.use(problemHandler);
  return r;
}

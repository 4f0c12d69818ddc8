import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { ExportRecords, ImportRecords, isOperator, JobRetries, secretsKey, tenantJobCounts, UnauthorizedError } from '@botport/shared';
import { type NextFunction, type Request, type Response, Router } from 'express';
import { z } from 'zod';
import type { ApiContext } from '../../context';
import { authenticate, bearerToken, requireAdminOrOperator, requireOperator } from '../../http/auth';
import { jsonBody } from '../../http/body';
import { guardRequest } from '../../http/input';
import { parse } from '../../http/validate';
import { problemHandler } from '../native/problem';
import { OperatorSessions, SESSION_COOKIE } from './operator-session';

export const sweepBody = z.object({ dryRun: z.boolean().default(false) }).strict();

const queueCounts = z.object({
  queue: z.string(),
  waiting: z.number().int(),
  active: z.number().int(),
  failed: z.number().int(),
  delayed: z.number().int(),
  completed: z.number().int(),
});
/** A tenant's admin: its own exports and imports; the operator: every queue. */
export const queuesView = z.union([
  z.object({ scope: z.literal('tenant'), tenant: z.string(), queues: z.array(queueCounts) }),
  z.object({ scope: z.literal('all'), queues: z.array(queueCounts) }),
]);
export const retryView = z.object({ kind: z.enum(['export', 'import']), id: z.string(), action: z.enum(['restarted', 'requeued']) });
export const sweepView = z.object({
  dryRun: z.boolean(),
  expired: z.object({ exports: z.number().int(), imports: z.number().int(), uploads: z.number().int() }),
  queued: z.boolean(),
});

const BOARD_PATH = '/admin/board';

function cookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

/**
 * `/admin`. A tenant's `admin` sees its own tenant's jobs (counted from
 * PostgreSQL) and retries them. The operator (scope `operator`) runs botport
 * itself: counts across tenants, any tenant's retry, the sweeper, and
 * bull-board — which shows every tenant's jobs and can pause or clean the
 * shared queues, so it is the operator's alone. A browser cannot send a
 * bearer header, so `POST /admin/session` (bearer only) sets a short-lived
 * signed cookie that opens the dashboard and nothing else.
 */
export function adminRouter(ctx: ApiContext): Router {
  const r = Router();
  const retries = new JobRetries(ctx.db, ctx.queues);
  const exportRecords = new ExportRecords(ctx.db);
  const importRecords = new ImportRecords(ctx.db);
  const sessions = new OperatorSessions(secretsKey(ctx.config));
  const bearer = authenticate(ctx.tokens);

  /** The dashboard: the operator by bearer header, or by the session cookie. */
  function dashboardAccess(req: Request, res: Response, next: NextFunction) {
    if (bearerToken(req)) return bearer(req, res, () => requireOperator(req, res, next));
    const principal = sessions.verify(cookie(req, SESSION_COOKIE));
    if (!principal) return next(new UnauthorizedError('open the dashboard from the console, or send an operator token as a bearer header'));
    res.locals.principal = principal;
    next();
  }

  const board = new ExpressAdapter().setBasePath(BOARD_PATH);
  createBullBoard({ queues: [ctx.queues.exports, ctx.queues.imports, ctx.queues.maintenance].map((q) => new BullMQAdapter(q)), serverAdapter: board });
  r.use(guardRequest);
  r.use('/board', Router().use(dashboardAccess, board.getRouter()));

  r.use(jsonBody(ctx.config.BODY_LIMIT), bearer);

  // Only from a bearer header: a session cannot renew itself.
  r.post('/session', requireOperator, (req, res) => {
    const { value, seconds } = sessions.issue(res.locals.principal);
    res.cookie(SESSION_COOKIE, value, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: BOARD_PATH, maxAge: seconds * 1000, encode: String });
    res.status(204).end();
  });

  r.get('/queues', requireAdminOrOperator, async (_req, res) => {
    const p = res.locals.principal;
    if (isOperator(p)) return res.json({ scope: 'all', queues: await ctx.queues.counts() });
    res.json({ scope: 'tenant', tenant: p.tenantId, queues: await tenantJobCounts(ctx.db, ctx.queues, p.tenantId) });
  });

  r.post('/jobs/:jobId/retry', requireAdminOrOperator, async (req, res) => {
    res.status(202).json(await retries.retry(res.locals.principal, String(req.params.jobId)));
  });

  // The sweeper works across tenants, and so do its counts.
  r.post('/sweep', requireOperator, async (req, res) => {
    const { dryRun } = parse(sweepBody, req.body ?? {});
    const expired = {
      exports: await exportRecords.countExpired(),
      imports: await importRecords.countExpired(),
      uploads: await importRecords.countExpiredUploads(),
    };
    if (!dryRun) await ctx.queues.sweepNow();
    res.status(dryRun ? 200 : 202).json({ dryRun, expired, queued: !dryRun });
  });

  r.use(problemHandler);
  return r;
}

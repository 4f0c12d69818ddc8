import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { ExportRecords, ImportRecords, JobRetries, MAINTENANCE_JOBS, UnauthorizedError } from '@botport/shared';
import { Router } from 'express';
import { z } from 'zod';
import type { ApiContext } from '../../context';
import { ADMIN_COOKIE, authenticate, bearerToken, requireScope } from '../../http/auth';
import { jsonBody } from '../../http/body';
import { parse } from '../../http/validate';
import { problemHandler } from '../native/problem';

export const sweepBody = z.object({ dryRun: z.boolean().default(false) }).strict();

/** The dashboard's cookie never outlives its token, nor an hour. */
const SESSION_MAX_SECONDS = 3600;

/**
 * `/admin`: what operators and the CLI need, behind the `admin` scope:
 * queue counts, retrying a job, running the sweeper (or seeing what it
 * would remove), and bull-board. The dashboard is a browser page, so besides
 * the bearer header it accepts the token from an HttpOnly cookie that
 * `POST /admin/session` sets (SameSite=Strict, path /admin only).
 */
export function adminRouter(ctx: ApiContext): Router {
  const r = Router();
  const retries = new JobRetries(ctx.db, ctx.queues);
  const exportRecords = new ExportRecords(ctx.db);
  const importRecords = new ImportRecords(ctx.db);
  r.use(jsonBody(ctx.config.BODY_LIMIT), authenticate(ctx.config, { adminCookie: true }), requireScope('admin'));

  // Only from a bearer header: a cookie cannot renew itself.
  r.post('/session', (req, res) => {
    const token = bearerToken(req);
    if (!token) throw new UnauthorizedError('send the token as a bearer header to open a dashboard session');
    const seconds = Math.max(0, Math.min(SESSION_MAX_SECONDS, Math.floor((res.locals.principal.expiresAt.getTime() - Date.now()) / 1000)));
    res.cookie(ADMIN_COOKIE, token, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/admin', maxAge: seconds * 1000 });
    res.status(204).end();
  });

  r.get('/queues', async (_req, res) => {
    res.json({ queues: await ctx.queues.counts() });
  });

  r.post('/jobs/:jobId/retry', async (req, res) => {
    res.status(202).json(await retries.retry(res.locals.principal, String(req.params.jobId)));
  });

  // Counts only: the sweeper works across tenants, so its dry run names no tenant's jobs.
  r.post('/sweep', async (req, res) => {
    const { dryRun } = parse(sweepBody, req.body ?? {});
    const expired = {
      exports: await exportRecords.countExpired(),
      imports: await importRecords.countExpired(),
      uploads: await importRecords.countExpiredUploads(),
    };
    if (!dryRun) await ctx.queues.maintenance.add(MAINTENANCE_JOBS.sweepExpired, {}, { jobId: `sweep-now-${Date.now()}` });
    res.status(dryRun ? 200 : 202).json({ dryRun, expired, queued: !dryRun });
  });

  const board = new ExpressAdapter().setBasePath('/admin/board');
  createBullBoard({ queues: [ctx.queues.exports, ctx.queues.imports, ctx.queues.maintenance].map((q) => new BullMQAdapter(q)), serverAdapter: board });
  r.use('/board', board.getRouter());

  r.use(problemHandler);
  return r;
}

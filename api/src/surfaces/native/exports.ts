import { type ExportRecord, type ExportService, FILE_FORMATS, IdempotencyKeys, JOB_STATUSES, type Principal } from '@botport/shared';
import { type Request, type Response, Router } from 'express';
import type { ApiContext } from '../../context';
import { z } from 'zod';
import { requireScope } from '../../http/auth';
import { botIdSchema, botVersionSchema, filePasswordSchema, isoTime, jobPageQuery, localeIdSchema } from '../../http/fields';
import { parse } from '../../http/validate';
import { exportOptionsSchema } from '../../http/export-options';
import { deliveries } from './deliveries';

export const createExport = z
  .object({
    botId: botIdSchema,
    botVersion: botVersionSchema.default('DRAFT'),
    localeId: localeIdSchema.optional(),
    fileFormat: z.enum(FILE_FORMATS).default('BotportJson'),
    filePassword: filePasswordSchema.optional(),
    exportOptions: exportOptionsSchema.optional(),
    /** Told once, by a signed POST, when the export ends. */
    notifyUrl: z.string().max(2048).optional(),
  })
  .strict()
  .meta({
    examples: [
      { botId: 'haSlczxNxN', botVersion: '1', fileFormat: 'LexJson', exportOptions: { subTasks: { dialogs: ['Checkout'] }, includeDependentTasks: true } },
    ],
  });

export const updateExport = z.object({ filePassword: filePasswordSchema.nullable().optional() }).strict();

export const listQuery = jobPageQuery;

/** A native export job, as every /v1/exports answer shows it. */
export const exportView = z.object({
  exportId: z.string(),
  botId: z.string(),
  botName: z.string(),
  botVersion: z.string(),
  localeId: z.string().nullable(),
  fileFormat: z.enum(FILE_FORMATS),
  exportOptions: exportOptionsSchema,
  passwordProtected: z.boolean(),
  notifyUrl: z.string().optional(),
  status: z.enum(JOB_STATUSES),
  progress: z.number().int().min(0).max(100),
  failureReasons: z.array(z.string()),
  /** What the export left out and why. */
  notes: z.array(z.string()),
  sizeBytes: z.number().int().nullable(),
  sha256: z.string().nullable(),
  /** Only when Completed: a fresh pre-signed GET URL, valid 300 s. */
  downloadUrl: z.string().optional(),
  createdAt: isoTime,
  updatedAt: isoTime,
  expiresAt: isoTime,
});
export const exportList = z.object({ exports: z.array(exportView), nextToken: z.string().optional() });

function view(r: ExportRecord, downloadUrl?: string): z.infer<typeof exportView> {
  return {
    exportId: r.exportId,
    botId: r.botId,
    botName: r.botName,
    botVersion: r.botVersion,
    localeId: r.localeId,
    fileFormat: r.fileFormat,
    exportOptions: r.options,
    passwordProtected: r.hasPassword,
    notifyUrl: r.notifyUrl ?? undefined,
    status: r.status,
    progress: r.progress,
    failureReasons: r.failureReasons,
    notes: r.notes,
    sizeBytes: r.sizeBytes,
    sha256: r.sha256,
    downloadUrl,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
    expiresAt: r.expiresAt.toISOString(),
  };
}

/** GET /v1/exports/{id}: the export, with a fresh download URL once Completed. */
export function exportStatus(jobs: ExportService) {
  return async (principal: Principal, exportId: string): Promise<z.infer<typeof exportView>> => {
    const record = await jobs.describe(principal, exportId);
    return view(record, await jobs.downloadUrl(record));
  };
}

const KEEP_ALIVE_MS = 15000;

/**
 * Server-sent events for one export: `progress` whenever it moves, then
 * `completed` (with a fresh downloadUrl) or `failed`, then the stream ends.
 * Pushed from the change feed (see RowWatch), so any api replica can serve
 * it and a quiet stream costs nothing but its socket.
 */
async function streamEvents(ctx: ApiContext, req: Request, res: Response): Promise<void> {
  const exportId = String(req.params.exportId);
  let progress = -1;
  let ended = false;
  const send = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  const end = () => {
    ended = true;
    unwatch();
    clearInterval(keepAlive);
    res.end();
  };
  const tell = (record: ExportRecord | undefined) => {
    if (ended) return;
    if (!record || record.status === 'Deleting') return void (send('failed', { exportId, failureReasons: ['the export was deleted'] }), end());
    if (record.progress !== progress) send('progress', { exportId, status: record.status, progress: (progress = record.progress) });
    if (record.status === 'Failed') return void (send('failed', { exportId, failureReasons: record.failureReasons }), end());
    if (record.status === 'Completed') {
      ended = true; // the URL is signed before the last event; nothing else is told meanwhile
      void ctx.exports.downloadUrl(record).then((url) => (send('completed', view(record, url)), end()), end);
    }
  };
  // The first change may come before the answer to watch does: held until then.
  const early: (ExportRecord | undefined)[] = [];
  let listener: (r: ExportRecord | undefined) => void = (r) => early.push(r);
  const { record, unwatch } = await ctx.exports.watch(res.locals.principal, exportId, (r) => listener(r)); // 404 before the stream starts
  res.status(200).set({ 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' });
  res.flushHeaders();
  const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
  req.on('close', () => ended || end());
  if (req.destroyed) return end(); // gone before the stream began
  listener = tell;
  tell(record);
  early.forEach(tell);
}

/** `/v1/exports`: the same export jobs in botport's own shape, plus Idempotency-Key and live events. */
export function nativeExportsRouter(ctx: ApiContext): Router {
  const jobs = ctx.exports; // not `exports`: that would shadow CommonJS's own, which the exported schemas live on
  const idempotency = new IdempotencyKeys(ctx.redis, ctx.config.QUEUE_PREFIX);
  const r = Router();
  const read = requireScope('exports:read');
  const status = exportStatus(jobs);
  const write = requireScope('exports:write');

  r.post('/', write, async (req, res) => {
    const { exportOptions, ...body } = parse(createExport, req.body ?? {});
    const principal = res.locals.principal;
    // The same key and body give the same export, however often a client retries.
    let created: ExportRecord | undefined;
    const { jobId, replayed } = await idempotency.once(principal.tenantId, req.get('Idempotency-Key'), req.body, async () => {
      created = await jobs.create(principal, 'native', { ...body, options: exportOptions });
      return created.exportId;
    });
    const record = created ?? (await jobs.describe(principal, jobId)); // read again only for a replay
    if (replayed) res.setHeader('Idempotent-Replayed', 'true');
    res.status(202).location(`/v1/exports/${record.exportId}`).json(view(record));
  });

  r.get('/:exportId/events', read, (req, res) => streamEvents(ctx, req, res));

  r.get('/', read, async (req, res) => {
    const q = parse(listQuery, req.query, 'the query');
    const { records, nextToken } = await jobs.list(res.locals.principal, { botId: q.botId, order: 'Descending', limit: q.limit, nextToken: q.nextToken });
    res.json({ exports: records.map((x) => view(x)), nextToken });
  });

  r.get('/:exportId', read, async (req, res) => {
    res.json(await status(res.locals.principal, String(req.params.exportId)));
  });

  r.get('/:exportId/deliveries', read, async (req, res) => {
    res.json(deliveries(await jobs.deliveries(res.locals.principal, String(req.params.exportId))));
  });

  // Builds a finished export again under a new password, or plain without one (Lex's UpdateExport).
  r.patch('/:exportId', write, async (req, res) => {
    const body = parse(updateExport, req.body ?? {});
    const record = await jobs.update(res.locals.principal, String(req.params.exportId), { filePassword: body.filePassword ?? undefined });
    res.status(202).json(view(record));
  });

  r.delete('/:exportId', write, async (req, res) => {
    const record = await jobs.delete(res.locals.principal, String(req.params.exportId));
    res.status(202).json(view(record));
  });

  return r;
}

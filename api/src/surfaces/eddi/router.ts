import { type ExportRecord, type ImportRecord, NotFoundError } from '@botport/shared';
import { type Response, Router } from 'express';
import { z } from 'zod';
import type { ApiContext } from '../../context';
import { authenticate, requireScope } from '../../http/auth';
import { receiveZipBody } from '../../http/archive-upload';
import { guardRequest } from '../../http/input';
import { errorHandler } from '../../http/errors';
import { botVersionSchema } from '../../http/fields';
import { parse } from '../../http/validate';

const POLL_MS = 100;
const RETRY_AFTER_SECONDS = 2;
/** `{botId}-{botVersion}-{exportId}.zip`: EDDI's `{botId}-{version}.zip`, made unique per export. */
const FILE = /^([0-9A-Za-z]{10})-(DRAFT|[1-9][0-9]*)-([0-9A-Za-z]{10})\.zip$/;

const fileName = (r: ExportRecord) => `${r.botId}-${r.botVersion}-${r.exportId}.zip`;

export const eddiErrorBody = z.object({ error: z.string() });
/** EDDI answers an import with an empty body; what botport must tell (a secret kept in clear text) comes as JSON. */
export const importNotes = z.object({ notes: z.array(z.string()) });
/** EDDI's `?botVersion=`; the archive is EDDI's own backup zip unless `fileFormat=BotportJson` asks for botport's lossless one. */
export const exportQuery = z.object({
  botVersion: botVersionSchema,
  fileFormat: z.enum(['EddiZip', 'BotportJson']).default('EddiZip'),
});

/** EDDI's errors: the status and `{"error": message}`. */
const eddiErrorHandler = errorHandler((e, res) => {
  res.status(e.status).json({ error: e.message });
});

/**
 * The EDDI surface (mounted at /backup): POST /backup/export/{botId} answers
 * with the archive's Location, POST /backup/import with the new bot's.
 */
export function eddiRouter(ctx: ApiContext): Router {
  const r = Router();
  r.use(guardRequest, authenticate(ctx.tokens));
  const base = ctx.config.PUBLIC_BASE_URL ?? '';
  const locationOf = (record: ExportRecord) => `${base}/backup/export/${fileName(record)}`;

  /** Polls a job until it leaves InProgress or `waitMs` passes; returns the last answer. */
  async function settle<T extends { status: string }>(job: T, describe: () => Promise<T>, waitMs: number): Promise<T> {
    const deadline = Date.now() + waitMs;
    while (job.status === 'InProgress' && Date.now() < deadline) {
      await new Promise((res) => setTimeout(res, POLL_MS));
      job = await describe();
    }
    return job;
  }

  // One path, two meanings, as EDDI has it: POST names the bot to export, GET the archive's file.
  r.post('/export/:id', requireScope('exports:write'), async (req, res) => {
    const { botVersion, fileFormat } = parse(exportQuery, { botVersion: '', ...req.query }, 'the query');
    const principal = res.locals.principal;
    const created = await ctx.exports.create(principal, 'eddi', { botId: String(req.params.id), botVersion, fileFormat });
    const record = await settle(created, () => ctx.exports.describe(principal, created.exportId), ctx.config.EDDI_EXPORT_WAIT_MS);
    res.location(locationOf(record));
    if (record.status === 'Failed') return res.status(500).json({ error: `the export failed: ${record.failureReasons.join('; ')}` });
    if (record.status === 'InProgress') res.status(202).setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
    res.end();
  });

  r.get('/export/:id', requireScope('exports:read'), async (req, res) => {
    const match = FILE.exec(String(req.params.id));
    if (!match) throw new NotFoundError('no such export file');
    const record = await ctx.exports.describe(res.locals.principal, match[3]);
    if (record.botId !== match[1] || record.botVersion !== match[2]) throw new NotFoundError('no such export file');
    if (record.status === 'InProgress') return res.status(202).setHeader('Retry-After', String(RETRY_AFTER_SECONDS)).end();
    const url = await ctx.exports.downloadUrl(record);
    if (!url) throw new NotFoundError(`the export failed: ${record.failureReasons.join('; ')}`);
    res.redirect(302, url);
  });

  const botLocation = (botId: string) => `${base}/v1/bots/${botId}`;
  const importLocation = (importId: string) => `${base}/backup/import/${importId}`;

  /** Answers with the new bot's Location once the import is done, else 202 and where to ask again. */
  function answerImport(res: Response, record: ImportRecord) {
    if (record.status === 'Failed') return res.status(400).json({ error: `the import failed: ${record.failureReasons.join('; ')}` });
    if (record.status === 'InProgress')
      return res.status(202).location(importLocation(record.importId)).setHeader('Retry-After', String(RETRY_AFTER_SECONDS)).end();
    res.location(botLocation(record.importedBotId as string)).status(200);
    // EDDI answers with an empty body; what the import should tell (a secret kept in clear text) comes as JSON.
    if (record.summary?.notes) return res.json({ notes: record.summary.notes });
    res.end();
  }

  // The archive is the body; the bot it holds becomes a new bot, not published ("not deployed").
  r.post('/import', requireScope('imports:write'), async (req, res) => {
    const principal = res.locals.principal;
    const { uploadId } = await receiveZipBody(ctx.imports, principal, req, ctx.config.IMPORT_MAX_ARCHIVE_BYTES);
    const started = await ctx.imports.start(principal, 'eddi', { uploadId, target: { kind: 'new' }, mergeStrategy: 'FailOnConflict' });
    answerImport(res, await settle(started, () => ctx.imports.describe(principal, started.importId), ctx.config.EDDI_IMPORT_WAIT_MS));
  });

  r.get('/import/:importId', requireScope('imports:read'), async (req, res) => {
    answerImport(res, await ctx.imports.describe(res.locals.principal, String(req.params.importId)));
  });

  r.use(eddiErrorHandler);
  return r;
}

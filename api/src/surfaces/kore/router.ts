import { type ExportRecord, type ImportRecord, NotFoundError, type Principal, ValidationError } from '@botport/shared';
import { Router } from 'express';
import { z } from 'zod';
import type { ApiContext } from '../../context';
import { authenticateKore, requireScope } from '../../http/auth';
import { receiveMultipartFile } from '../../http/archive-upload';
import { jsonBody } from '../../http/body';
import { guardRequest } from '../../http/input';
import { fromKore, koreExportFields } from '../../http/export-options';
import { isoTime, jobIdSchema } from '../../http/fields';
import { parse } from '../../http/validate';
import { koreErrorHandler } from './errors';

export const exportBody = z.object({ exportType: z.enum(['latest', 'published']), ...koreExportFields }).strict();

const STATUS = { InProgress: 'pending', Completed: 'success', Failed: 'failed', Deleting: 'failed' } as const;

const fileId = jobIdSchema('a fileId from /api/public/uploadfile');
// Kore's files as its Bot Import API takes them, or (as Kore also allows) botDefinition naming its export zip, which holds them all.
const importFiles = { botDefinition: fileId, configInfo: fileId.optional(), botFunctions: z.array(fileId).optional(), icon: fileId.optional() };
/** What uploadfile takes: Kore's export zip, or its separate files (botDefinition.json, config.json, icon.png). */
const UPLOAD_EXTENSIONS = ['zip', 'json', 'png'];
const importOptions = z
  .object({
    tasks: z.array(z.string()).optional(),
    nlpData: z.array(z.string()).optional(),
    settings: z.array(z.string()).optional(),
    botComponents: z.array(z.string()).optional(),
    options: z.unknown().optional(),
    customDashboard: z.boolean().optional(),
  })
  .strict();
export const newBotImport = z.object(importFiles).strict();
export const existingBotImport = z.object({ ...importFiles, importOptions: importOptions.optional() }).strict();

const koreStatus = z.enum(['pending', 'success', 'failed']);
const koreTime = isoTime;
/** A bot export request, as Kore's export call answers it. */
export const koreExportView = z.object({
  _id: z.string(),
  botId: z.string(),
  streamId: z.string(),
  createdBy: z.string(),
  exportType: z.enum(['latest', 'published']),
  requestType: z.literal('Botexport'),
  status: koreStatus,
  createdOn: koreTime,
});
export const koreExportCreated = koreExportView.omit({ botId: true }).extend({ __v: z.number() });
/** The bot's latest export: when done, the download URL (five minutes), the file's id and size (a string, as Kore has it). */
export const koreExportStatus = koreExportView.extend({
  downloadURL: z.string().optional(),
  fileId: z.string().optional(),
  fileSize: z.string().optional(),
  failureReasons: z.array(z.string()).optional(),
  /** What the export left out and why (botport's addition). */
  notes: z.array(z.string()).optional(),
});
export const koreUploaded = z.object({ fileId: z.string(), hash: z.string(), fileName: z.string().optional() });
export const koreImportView = z.object({
  _id: z.string(),
  status: koreStatus,
  statusLogs: z.array(z.object({ taskType: z.string(), taskName: z.string(), status: koreStatus, message: z.string().optional() })),
  createdBy: z.string(),
  requestType: z.literal('Botimport'),
  createdOn: koreTime,
  __v: z.number(),
  streamId: z.string().optional(),
  botId: z.string().optional(),
  failureReasons: z.array(z.string()).optional(),
  /** What the import should tell (botport's addition). */
  notes: z.array(z.string()).optional(),
});

/** Kore imports all categories unless importOptions names some; the locale structure always comes. */
function importCategories(o: z.infer<typeof importOptions> | undefined): string[] | undefined {
  if (!o) return undefined;
  const named = (['tasks', 'nlpData', 'settings'] as const).filter((k) => o[k]?.length);
  return o.customDashboard ? [...named, 'other'] : named;
}

/** botDefinition and the files that go with it, named as in Kore's export zip; botFunctions (custom scripts) are not imported. */
function importRequest(body: z.infer<typeof newBotImport>) {
  const companions = [
    { name: 'config.json', uploadId: body.configInfo },
    { name: 'icon.png', uploadId: body.icon },
  ].filter((c): c is { name: string; uploadId: string } => !!c.uploadId && c.uploadId !== body.botDefinition);
  return { uploadId: body.botDefinition, asFile: { name: 'botDefinition.json', companions } };
}

function koreImport(r: ImportRecord): z.infer<typeof koreImportView> {
  const botName = r.importedBotName ?? r.botName ?? 'bot';
  const status = STATUS[r.status];
  return {
    _id: `bir-${r.importId}`,
    status,
    statusLogs: [
      { taskType: 'importRequest', taskName: botName, status: 'success' },
      { taskType: 'importBot', taskName: botName, status, ...(r.status === 'Failed' && { message: r.failureReasons.join('; ') }) },
    ],
    createdBy: r.requestedBy,
    requestType: 'Botimport',
    createdOn: r.createdAt.toISOString(),
    __v: 0,
    ...(r.importedBotId && { streamId: r.importedBotId, botId: r.importedBotId }),
    ...(r.status === 'Failed' && { failureReasons: r.failureReasons }),
    ...(r.summary?.notes && { notes: r.summary.notes }),
  };
}

function koreExport(r: ExportRecord): z.infer<typeof koreExportView> {
  return {
    _id: `ber-${r.exportId}`,
    botId: r.botId,
    streamId: r.botId,
    createdBy: r.requestedBy,
    exportType: r.botVersion === 'DRAFT' ? 'latest' : 'published',
    requestType: 'Botexport',
    status: STATUS[r.status],
    createdOn: r.createdAt.toISOString(),
  };
}

/** The status of a bot's latest export, with its download URL once done. */
export function botExportStatus(ctx: Pick<ApiContext, 'exports'>) {
  return async (principal: Principal, botId: string): Promise<z.infer<typeof koreExportStatus>> => {
    const record = await ctx.exports.latestForBot(principal, botId);
    const done = record.status === 'Completed';
    return {
      ...koreExport(record),
      ...(done && {
        downloadURL: await ctx.exports.downloadUrl(record),
        fileId: record.exportId,
        fileSize: String(record.sizeBytes),
      }),
      ...(record.status === 'Failed' && { failureReasons: record.failureReasons }),
      ...(record.notes.length && { notes: record.notes }),
    };
  };
}

/** An import's status, by Kore's id for it (`bir-` and the import's). */
export function botImportStatus(ctx: Pick<ApiContext, 'imports'>) {
  return async (principal: Principal, birId: string): Promise<z.infer<typeof koreImportView>> => {
    if (!birId.startsWith('bir-')) throw new NotFoundError(`import ${birId} was not found`);
    return koreImport(await ctx.imports.describe(principal, birId.slice(4)));
  };
}

/** The Kore.ai surface: bot export and import with their status, Kore's `auth` header and error shape. */
export function koreRouter(ctx: ApiContext): Router {
  const r = Router();
  r.use(guardRequest, jsonBody(ctx.config.BODY_LIMIT), authenticateKore(ctx));
  const exportStatus = botExportStatus(ctx);
  const importStatus = botImportStatus(ctx);

  r.post('/bot/:botId/export', requireScope('exports:write'), async (req, res) => {
    const body = parse(exportBody, req.body ?? {});
    const botId = String(req.params.botId);
    const principal = res.locals.principal;
    const botVersion = body.exportType === 'published' ? await ctx.botService.latestPublished(principal, botId) : 'DRAFT';
    const record = await ctx.exports.create(principal, 'kore', { botId, botVersion, fileFormat: 'KoreJson', options: fromKore(body) });
    const { botId: _botId, ...created } = koreExport(record);
    res.json({ ...created, __v: 0 });
  });

  r.get('/bot/:botId/export/status', requireScope('exports:read'), async (req, res) => {
    res.json(await exportStatus(res.locals.principal, String(req.params.botId)));
  });

  r.post('/uploadfile', requireScope('imports:write'), async (req, res) => {
    const received = await receiveMultipartFile(ctx.imports, res.locals.principal, req, ctx.config.IMPORT_MAX_ARCHIVE_BYTES);
    const extension = received.fields.fileExtension?.replace(/^\./, '');
    if (extension && !UPLOAD_EXTENSIONS.includes(extension)) {
      throw new ValidationError(
        `fileExtension ${extension} cannot be imported here; upload the bot export .zip, or its botDefinition.json, config.json and icon.png (fileExtension ${UPLOAD_EXTENSIONS.join(', ')})`,
      );
    }
    res.json({ fileId: received.uploadId, hash: received.sha1, fileName: received.fileName });
  });

  r.post('/bot/import', requireScope('imports:write'), async (req, res) => {
    const body = parse(newBotImport, req.body ?? {});
    const record = await ctx.imports.start(res.locals.principal, 'kore', { ...importRequest(body), target: { kind: 'new' }, mergeStrategy: 'FailOnConflict' });
    res.json(koreImport(record));
  });

  r.post('/bot/:botId/import', requireScope('imports:write'), async (req, res) => {
    const body = parse(existingBotImport, req.body ?? {});
    const categories = importCategories(body.importOptions);
    const record = await ctx.imports.start(res.locals.principal, 'kore', {
      ...importRequest(body),
      target: { kind: 'bot', botId: String(req.params.botId) },
      mergeStrategy: 'Overwrite',
      options: categories ? { categories } : {},
    });
    res.json(koreImport(record));
  });

  r.get('/bot/import/status/:birId', requireScope('imports:read'), async (req, res) => {
    res.json(await importStatus(res.locals.principal, String(req.params.birId)));
  });

  r.use(koreErrorHandler);
  return r;
}

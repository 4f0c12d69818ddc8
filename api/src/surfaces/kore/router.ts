import { type ExportRecord, type ImportRecord, NotFoundError, ValidationError } from '@botport/shared';
import { Router } from 'express';
import { z } from 'zod';
import type { ApiContext } from '../../context';
import { authenticateKore, requireScope } from '../../http/auth';
import { receiveMultipartFile } from '../../http/archive-upload';
import { jsonBody } from '../../http/body';
import { guardRequest } from '../../http/input';
import { fromKore, koreExportFields } from '../../http/export-options';
import { parse } from '../../http/validate';
import { koreErrorHandler } from './errors';

export const exportBody = z.object({ exportType: z.enum(['latest', 'published']), ...koreExportFields }).strict();

const STATUS = { InProgress: 'pending', Completed: 'success', Failed: 'failed', Deleting: 'failed' } as const;

const fileId = z.string().regex(/^[0-9A-Za-z]{10}$/, 'must be a fileId from /api/public/uploadfile');
// configInfo, botFunctions and icon are Kore's separate files; a botport archive holds everything.
const importFiles = { botDefinition: fileId, configInfo: fileId.optional(), botFunctions: z.array(fileId).optional(), icon: fileId.optional() };
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

/** Kore imports all categories unless importOptions names some; the locale structure always comes. */
function importCategories(o: z.infer<typeof importOptions> | undefined): string[] | undefined {
  if (!o) return undefined;
  const named = (['tasks', 'nlpData', 'settings'] as const).filter((k) => o[k]?.length);
  return o.customDashboard ? [...named, 'other'] : named;
}

function koreImport(r: ImportRecord) {
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
  };
}

function koreExport(r: ExportRecord) {
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

/** The Kore.ai surface: bot export and import with their status, Kore's `auth` header and error shape. */
export function koreRouter(ctx: ApiContext): Router {
  const r = Router();
  r.use(guardRequest, jsonBody(ctx.config.BODY_LIMIT), authenticateKore(ctx));

  r.post('/bot/:botId/export', requireScope('exports:write'), async (req, res) => {
    const body = parse(exportBody, req.body ?? {});
    const botId = String(req.params.botId);
    const principal = res.locals.principal;
    let botVersion = 'DRAFT';
    if (body.exportType === 'published') {
      await ctx.bots.get(principal.tenantId, botId);
      const published = await ctx.bots.latestPublishedVersion(principal.tenantId, botId);
      if (!published) throw new NotFoundError(`bot ${botId} has no published version; export 'latest' or publish it first`);
      botVersion = published;
    }
    const record = await ctx.exports.create(principal, 'kore', { botId, botVersion, fileFormat: 'BotportJson', options: fromKore(body) });
    const { botId: _botId, ...created } = koreExport(record);
    res.json({ ...created, __v: 0 });
  });

  r.get('/bot/:botId/export/status', requireScope('exports:read'), async (req, res) => {
    const record = await ctx.exports.latestForBot(res.locals.principal, String(req.params.botId));
    const done = record.status === 'Completed';
    res.json({
      ...koreExport(record),
      ...(done && {
        downloadURL: await ctx.exports.downloadUrl(record),
        fileId: record.exportId,
        fileSize: String(record.sizeBytes),
      }),
      ...(record.status === 'Failed' && { failureReasons: record.failureReasons }),
    });
  });

  r.post('/uploadfile', requireScope('imports:write'), async (req, res) => {
    const received = await receiveMultipartFile(ctx.imports, res.locals.principal, req, ctx.config.IMPORT_MAX_ARCHIVE_BYTES);
    const extension = received.fields.fileExtension?.replace(/^\./, '');
    if (extension && extension !== 'zip') {
      throw new ValidationError(`fileExtension ${extension} cannot be imported here; upload the bot export .zip (fileExtension zip)`);
    }
    res.json({ fileId: received.uploadId, hash: received.sha1, fileName: received.fileName });
  });

  r.post('/bot/import', requireScope('imports:write'), async (req, res) => {
    const body = parse(newBotImport, req.body ?? {});
    const record = await ctx.imports.start(res.locals.principal, 'kore', {
      uploadId: body.botDefinition,
      target: { kind: 'new' },
      mergeStrategy: 'FailOnConflict',
    });
    res.json(koreImport(record));
  });

  r.post('/bot/:botId/import', requireScope('imports:write'), async (req, res) => {
    const body = parse(existingBotImport, req.body ?? {});
    const categories = importCategories(body.importOptions);
    const record = await ctx.imports.start(res.locals.principal, 'kore', {
      uploadId: body.botDefinition,
      target: { kind: 'bot', botId: String(req.params.botId) },
      mergeStrategy: 'Overwrite',
      options: categories ? { categories } : {},
    });
    res.json(koreImport(record));
  });

  r.get('/bot/import/status/:birId', requireScope('imports:read'), async (req, res) => {
    const id = /^bir-([0-9A-Za-z]{10})$/.exec(String(req.params.birId));
    if (!id) throw new NotFoundError(`import ${req.params.birId} was not found`);
    res.json(koreImport(await ctx.imports.describe(res.locals.principal, id[1])));
  });

  r.use(koreErrorHandler);
  return r;
}

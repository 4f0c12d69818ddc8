import { ExportRecord, ExportService, FILE_FORMATS } from '@botport/shared';
import { Router } from 'express';
import { z } from 'zod';
import { requireScope } from '../../http/auth';
import { botIdSchema, botVersionSchema, parse } from '../../http/validate';
import { exportOptionsSchema } from '../../http/export-options';

const createExport = z
  .object({
    botId: botIdSchema,
    botVersion: botVersionSchema.default('DRAFT'),
    localeId: z.string().min(1).max(20).optional(),
    fileFormat: z.enum(FILE_FORMATS).default('BotportJson'),
    filePassword: z.string().min(1).max(1024).optional(),
    exportOptions: exportOptionsSchema.optional(),
  })
  .strict();

const updateExport = z.object({ filePassword: z.string().min(1).max(1024).nullable().optional() }).strict();

const listQuery = z.object({
  botId: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  nextToken: z.string().max(2048).optional(),
});

function view(r: ExportRecord, downloadUrl?: string) {
  return {
    exportId: r.exportId,
    botId: r.botId,
    botName: r.botName,
    botVersion: r.botVersion,
    localeId: r.localeId,
    fileFormat: r.fileFormat,
    exportOptions: r.options,
    passwordProtected: r.hasPassword,
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

/** `/v1/exports`: the same export jobs in botport's own shape. */
export function nativeExportsRouter(exports: ExportService): Router {
  const r = Router();
  const read = requireScope('exports:read');
  const write = requireScope('exports:write');

  r.post('/', write, async (req, res) => {
    const { exportOptions, ...body } = parse(createExport, req.body ?? {});
    const record = await exports.create(res.locals.principal, 'native', { ...body, options: exportOptions });
    res.status(202).location(`/v1/exports/${record.exportId}`).json(view(record));
  });

  r.get('/', read, async (req, res) => {
    const q = parse(listQuery, req.query, 'the query');
    const { records, nextToken } = await exports.list(res.locals.principal, { botId: q.botId, order: 'Descending', limit: q.limit, nextToken: q.nextToken });
    res.json({ exports: records.map((x) => view(x)), nextToken });
  });

  r.get('/:exportId', read, async (req, res) => {
    const record = await exports.describe(res.locals.principal, String(req.params.exportId));
    res.json(view(record, await exports.downloadUrl(record)));
  });

  // Builds a finished export again under a new password, or plain without one (Lex's UpdateExport).
  r.patch('/:exportId', write, async (req, res) => {
    const body = parse(updateExport, req.body ?? {});
    const record = await exports.update(res.locals.principal, String(req.params.exportId), { filePassword: body.filePassword ?? undefined });
    res.status(202).json(view(record));
  });

  r.delete('/:exportId', write, async (req, res) => {
    const record = await exports.delete(res.locals.principal, String(req.params.exportId));
    res.status(202).json(view(record));
  });

  return r;
}

import { type ExportRecord, type ExportService, JOB_STATUSES, type Principal } from '@botport/shared';
import { Router } from 'express';
import { z } from 'zod';
import { requireScope } from '../../http/auth';
import {
  botIdSchema as botId,
  botVersionSchema as botVersion,
  epoch,
  epochSeconds,
  filePasswordSchema as filePassword,
  localeIdSchema as localeId,
} from '../../http/fields';
import { parse } from '../../http/validate';
import { exportOptionsSchema } from '../../http/export-options';
import { listBody, listQuery } from './listing';

const resourceSpecification = z
  .object({
    botExportSpecification: z.object({ botId, botVersion }).strict().optional(),
    botLocaleExportSpecification: z.object({ botId, botVersion, localeId }).strict().optional(),
    customVocabularyExportSpecification: z.unknown().optional(),
  })
  .strict()
  .refine((s) => Object.values(s).filter((v) => v !== undefined).length === 1, {
    message: 'exactly one of botExportSpecification or botLocaleExportSpecification is required',
  })
  .refine((s) => s.customVocabularyExportSpecification === undefined, { message: 'custom vocabulary exports are not supported' });

export const createExport = z
  .object({
    resourceSpecification,
    fileFormat: z
      .enum(['LexJson', 'BotportJson', 'TSV'])
      .refine((f) => f !== 'TSV', { message: 'TSV is only for custom vocabularies, which are not supported' }),
    filePassword: filePassword.optional(),
    // botport's addition: the same component filters as Kore's export.
    exportOptions: exportOptionsSchema.optional(),
  })
  .strict()
  .meta({ examples: [{ resourceSpecification: { botExportSpecification: { botId: 'haSlczxNxN', botVersion: 'DRAFT' } }, fileFormat: 'LexJson' }] });

export const listExports = listBody('ExportResourceType');

export const updateExport = z.object({ filePassword: filePassword.optional() }).strict();

/** The resource an export is of, as Lex names it (custom vocabularies are not exported here). */
const specificationView = z.union([
  z.object({ botExportSpecification: z.object({ botId: z.string(), botVersion: z.string() }) }),
  z.object({ botLocaleExportSpecification: z.object({ botId: z.string(), botVersion: z.string(), localeId: z.string() }) }),
]);
export const exportSummary = z.object({
  exportId: z.string(),
  resourceSpecification: specificationView,
  fileFormat: z.string(),
  exportStatus: z.enum(JOB_STATUSES),
  creationDateTime: epochSeconds,
  lastUpdatedDateTime: epochSeconds,
});
export const createExportResponse = exportSummary.omit({ lastUpdatedDateTime: true });
/** DescribeExport: Lex's fields, then botport's additions (progress, the archive's size, SHA-256 and notes). */
export const describeExportResponse = exportSummary.extend({
  failureReasons: z.array(z.string()),
  /** Only when Completed: a fresh pre-signed GET URL, valid 300 s. */
  downloadUrl: z.string().optional(),
  progress: z.number().int(),
  archiveSizeBytes: z.number().int().optional(),
  archiveSha256: z.string().optional(),
  notes: z.array(z.string()).optional(),
});
export const listExportsResponse = z.object({
  botId: z.string().optional(),
  botVersion: z.string().optional(),
  localeId: z.string().optional(),
  exportSummaries: z.array(exportSummary),
  nextToken: z.string().optional(),
});
export const deleteExportResponse = z.object({ exportId: z.string(), exportStatus: z.enum(JOB_STATUSES) });

function specification(r: ExportRecord): z.infer<typeof specificationView> {
  return r.localeId
    ? { botLocaleExportSpecification: { botId: r.botId, botVersion: r.botVersion, localeId: r.localeId } }
    : { botExportSpecification: { botId: r.botId, botVersion: r.botVersion } };
}

function summary(r: ExportRecord): z.infer<typeof exportSummary> {
  return {
    exportId: r.exportId,
    resourceSpecification: specification(r),
    fileFormat: r.fileFormat,
    exportStatus: r.status,
    creationDateTime: epoch(r.createdAt),
    lastUpdatedDateTime: epoch(r.updatedAt),
  };
}

/** DescribeExport: Deleting until the export is gone, as Lex answers. */
export function describeExport(jobs: ExportService) {
  return async (principal: Principal, exportId: string): Promise<z.infer<typeof describeExportResponse>> => {
    const record = await jobs.describe(principal, exportId, { whileDeleting: true });
    return {
      ...summary(record),
      failureReasons: record.failureReasons,
      downloadUrl: await jobs.downloadUrl(record),
      // botport's additions: progress and the archive's size and SHA-256.
      progress: record.progress,
      archiveSizeBytes: record.sizeBytes ?? undefined,
      archiveSha256: record.sha256 ?? undefined,
      notes: record.notes.length ? record.notes : undefined,
    };
  };
}

/** Amazon Lex V2 export operations, at AWS's paths. */
/** The parameter is not named `exports`: that would shadow CommonJS's own, which the exported schemas live on. */
export function lexExportsRouter(jobs: ExportService): Router {
  const r = Router();
  const read = requireScope('exports:read');
  const describe = describeExport(jobs);
  const write = requireScope('exports:write');

  // CreateExport
  r.put('/exports/', write, async (req, res) => {
    const body = parse(createExport, req.body);
    const spec = body.resourceSpecification.botExportSpecification ?? body.resourceSpecification.botLocaleExportSpecification!;
    const record = await jobs.create(res.locals.principal, 'lex', {
      botId: spec.botId,
      botVersion: spec.botVersion,
      localeId: body.resourceSpecification.botLocaleExportSpecification?.localeId,
      fileFormat: body.fileFormat as ExportRecord['fileFormat'],
      filePassword: body.filePassword,
      options: body.exportOptions,
    });
    const { lastUpdatedDateTime: _omit, ...created } = summary(record);
    res.status(202).json(created);
  });

  // DescribeExport
  r.get('/exports/:exportId/', read, async (req, res) => {
    res.json(await describe(res.locals.principal, String(req.params.exportId)));
  });

  // ListExports
  r.post('/exports/', read, async (req, res) => {
    const body = parse(listExports, req.body ?? {});
    const query = listQuery(body);
    const { records, nextToken } = query ? await jobs.list(res.locals.principal, query) : { records: [], nextToken: undefined };
    res.json({ botId: body.botId, botVersion: body.botVersion, localeId: body.localeId, exportSummaries: records.map(summary), nextToken });
  });

  // UpdateExport
  r.put('/exports/:exportId/', write, async (req, res) => {
    const body = parse(updateExport, req.body ?? {});
    const record = await jobs.update(res.locals.principal, String(req.params.exportId), body);
    res.status(202).json(summary(record));
  });

  // DeleteExport
  r.delete('/exports/:exportId/', write, async (req, res) => {
    const record = await jobs.delete(res.locals.principal, String(req.params.exportId));
    res.status(202).json({ exportId: record.exportId, exportStatus: record.status });
  });

  return r;
}

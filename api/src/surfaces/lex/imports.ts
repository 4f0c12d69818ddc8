import { type ImportRecord, type ImportService, type ImportTarget, JOB_STATUSES, MERGE_STRATEGIES, nameSchema, type Principal } from '@botport/shared';
import { Router } from 'express';
import { z } from 'zod';
import { requireScope } from '../../http/auth';
import { botIdSchema, epoch, epochSeconds, filePasswordSchema, jobIdSchema, localeIdSchema } from '../../http/fields';
import { parse } from '../../http/validate';
import { importSummary as nativeImportSummary } from '../native/imports';
import { listBody, listQuery } from './listing';

// Lex's own settings for a new bot are accepted and have no effect here.
const botImportSpecification = z
  .object({
    botName: nameSchema,
    roleArn: z.string().optional(),
    dataPrivacy: z.unknown().optional(),
    errorLogSettings: z.unknown().optional(),
    idleSessionTTLInSeconds: z.number().optional(),
    botTags: z.record(z.string(), z.string()).optional(),
    testBotAliasTags: z.record(z.string(), z.string()).optional(),
  })
  .strict();

const botLocaleImportSpecification = z
  .object({
    botId: botIdSchema,
    botVersion: z.literal('DRAFT', { message: 'a locale is imported into the DRAFT version only' }),
    localeId: localeIdSchema,
    nluIntentConfidenceThreshold: z.number().optional(),
    voiceSettings: z.unknown().optional(),
  })
  .strict();

export const startImport = z
  .object({
    importId: jobIdSchema('the importId CreateUploadUrl returned'),
    resourceSpecification: z
      .object({
        botImportSpecification: botImportSpecification.optional(),
        botLocaleImportSpecification: botLocaleImportSpecification.optional(),
        customVocabularyImportSpecification: z.unknown().optional(),
        testSetImportResourceSpecification: z.unknown().optional(),
      })
      .strict()
      .refine((s) => !s.customVocabularyImportSpecification && !s.testSetImportResourceSpecification, {
        message: 'custom vocabulary and test set imports are not supported',
      })
      .refine((s) => !!s.botImportSpecification !== !!s.botLocaleImportSpecification, {
        message: 'exactly one of botImportSpecification or botLocaleImportSpecification is required',
      }),
    mergeStrategy: z.enum(MERGE_STRATEGIES),
    filePassword: filePasswordSchema.optional(),
  })
  .strict();

export const listImports = listBody('ImportResourceType');

const specificationView = z.union([
  z.object({ botLocaleImportSpecification: z.object({ botId: z.string().nullable(), botVersion: z.literal('DRAFT'), localeId: z.string() }) }),
  z.object({ botImportSpecification: z.object({ botName: z.string().optional() }) }),
]);
export const importSummary = z.object({
  importId: z.string(),
  importedResourceId: z.string().optional(),
  importedResourceName: z.string().optional(),
  importStatus: z.enum(JOB_STATUSES),
  mergeStrategy: z.enum(MERGE_STRATEGIES),
  creationDateTime: epochSeconds,
  lastUpdatedDateTime: epochSeconds,
  importedResourceType: z.enum(['Bot', 'BotLocale']),
});
export const createUploadUrlResponse = z.object({ importId: z.string(), uploadUrl: z.string() });
export const startImportResponse = z.object({
  importId: z.string(),
  resourceSpecification: z.record(z.string(), z.unknown()),
  mergeStrategy: z.enum(MERGE_STRATEGIES),
  importStatus: z.enum(JOB_STATUSES),
  creationDateTime: epochSeconds,
});
/** DescribeImport: Lex's fields, then botport's additions (progress and what the import did). */
export const describeImportResponse = importSummary.omit({ importedResourceType: true }).extend({
  resourceSpecification: specificationView,
  failureReasons: z.array(z.string()),
  progress: z.number().int(),
  importSummary: nativeImportSummary.optional(),
});
export const listImportsResponse = z.object({
  botId: z.string().optional(),
  botVersion: z.string().optional(),
  localeId: z.string().optional(),
  importSummaries: z.array(importSummary),
  nextToken: z.string().optional(),
});
export const deleteImportResponse = z.object({ importId: z.string(), importStatus: z.enum(JOB_STATUSES) });

function specification(r: ImportRecord): z.infer<typeof specificationView> {
  if (r.localeId) return { botLocaleImportSpecification: { botId: r.botId, botVersion: 'DRAFT', localeId: r.localeId } };
  return { botImportSpecification: { botName: r.botName ?? r.importedBotName ?? undefined } };
}

function summary(r: ImportRecord): z.infer<typeof importSummary> {
  return {
    importId: r.importId,
    importedResourceId: r.importedBotId ?? r.botId ?? undefined,
    importedResourceName: r.localeId ?? r.importedBotName ?? r.botName ?? undefined,
    importStatus: r.status,
    // A restore (Replace) is, in Lex's terms, an Overwrite.
    mergeStrategy: r.mergeStrategy === 'Replace' ? 'Overwrite' : r.mergeStrategy,
    creationDateTime: epoch(r.createdAt),
    lastUpdatedDateTime: epoch(r.updatedAt),
    importedResourceType: r.localeId ? 'BotLocale' : 'Bot',
  };
}

/** DescribeImport: Deleting until the import is gone, as Lex answers. */
export function describeImport(imports: ImportService) {
  return async (principal: Principal, importId: string): Promise<z.infer<typeof describeImportResponse>> => {
    const record = await imports.describe(principal, importId, { whileDeleting: true });
    const { importedResourceType: _omit, ...described } = summary(record);
    return {
      ...described,
      resourceSpecification: specification(record),
      failureReasons: record.failureReasons,
      // botport's additions: progress and what the import did.
      progress: record.progress,
      importSummary: record.summary ?? undefined,
    };
  };
}

/** Amazon Lex V2 import operations, at AWS's paths. */
export function lexImportsRouter(imports: ImportService): Router {
  const r = Router();
  const read = requireScope('imports:read');
  const describe = describeImport(imports);
  const write = requireScope('imports:write');

  // CreateUploadUrl
  r.post('/createuploadurl/', write, async (_req, res) => {
    const { uploadId, uploadUrl } = await imports.createUploadUrl(res.locals.principal);
    res.json({ importId: uploadId, uploadUrl });
  });

  // StartImport
  r.put('/imports/', write, async (req, res) => {
    const body = parse(startImport, req.body ?? {});
    const { botImportSpecification: bot, botLocaleImportSpecification: locale } = body.resourceSpecification;
    const target: ImportTarget = locale ? { kind: 'locale', botId: locale.botId, localeId: locale.localeId } : { kind: 'named', botName: bot!.botName };
    const record = await imports.start(res.locals.principal, 'lex', {
      uploadId: body.importId,
      target,
      mergeStrategy: body.mergeStrategy,
      filePassword: body.filePassword,
    });
    res.status(202).json({
      importId: record.importId,
      resourceSpecification: body.resourceSpecification,
      mergeStrategy: record.mergeStrategy,
      importStatus: record.status,
      creationDateTime: epoch(record.createdAt),
    });
  });

  // DescribeImport
  r.get('/imports/:importId/', read, async (req, res) => {
    res.json(await describe(res.locals.principal, String(req.params.importId)));
  });

  // ListImports
  r.post('/imports/', read, async (req, res) => {
    const body = parse(listImports, req.body ?? {});
    const query = listQuery(body);
    const { records, nextToken } = query ? await imports.list(res.locals.principal, query) : { records: [], nextToken: undefined };
    res.json({ botId: body.botId, botVersion: body.botVersion, localeId: body.localeId, importSummaries: records.map(summary), nextToken });
  });

  // DeleteImport
  r.delete('/imports/:importId/', write, async (req, res) => {
    const record = await imports.delete(res.locals.principal, String(req.params.importId));
    res.status(202).json({ importId: record.importId, importStatus: record.status });
  });

  return r;
}

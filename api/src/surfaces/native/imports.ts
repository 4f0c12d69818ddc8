import {
  IdempotencyKeys,
  type ImportRecord,
  type ImportService,
  type ImportTarget,
  JOB_STATUSES,
  MERGE_STRATEGIES,
  nameSchema,
  type Principal,
  ValidationError,
} from '@botport/shared';
import { Router } from 'express';
import { z } from 'zod';
import type { ApiContext } from '../../context';
import { receiveZipBody } from '../../http/archive-upload';
import { requireScope } from '../../http/auth';
import { botIdSchema, isoTime, jobPageQuery, localeIdSchema } from '../../http/fields';
import { parse } from '../../http/validate';
import { deliveries } from './deliveries';

/** Where the archive goes: a bot by name, a bot (or one of its locales) by id, or — neither — a new bot. */
export const startQuery = z
  .object({
    botName: nameSchema.optional(),
    botId: botIdSchema.optional(),
    localeId: localeIdSchema.optional(),
    /** Replace: the DRAFT becomes exactly the archive (whole-bot targets). */
    mergeStrategy: z.enum([...MERGE_STRATEGIES, 'Replace']).default('FailOnConflict'),
    /** Plan only: the record's `plan` says what the import would do; nothing changes. */
    dryRun: z.enum(['true', 'false']).optional(),
    /** Apply a plan: refused (409) unless the DRAFT is still at the revision the plan saw. */
    draftRevision: z.coerce.number().int().min(0).optional(),
    /** Told once, by a signed POST, when the import ends. */
    notifyUrl: z.string().max(2048).optional(),
  })
  .strict()
  .refine((q) => !(q.botName && q.botId), { message: 'give botName or botId, not both' })
  .refine((q) => !q.localeId || q.botId, { message: 'localeId needs botId' });

export const PASSWORD_HEADER = 'Botport-File-Password';

export const listQuery = jobPageQuery;

/** What an import did: the format it read and the components it added, replaced and kept. */
export const importSummary = z.object({
  format: z.string(),
  added: z.number().int(),
  replaced: z.number().int(),
  kept: z.number().int(),
  botCreated: z.boolean(),
  /** What the import should tell: secrets the archive carried in clear text, what it could not take. */
  notes: z.array(z.string()).optional(),
});

const componentId = z.object({ kind: z.string(), locale: z.string().optional(), name: z.string() });
/** What an import would do (a dry run's answer): the same import, run and rolled back, compared before and after. */
export const importPlanView = z.object({
  format: z.string(),
  mergeStrategy: z.enum([...MERGE_STRATEGIES, 'Replace']),
  target: z.object({ botId: z.string().nullable(), botName: z.string(), botCreated: z.boolean() }),
  draftRevision: z.number().int(),
  outcome: z.enum(['applies', 'fails']),
  failureReasons: z.array(z.string()),
  components: z.object({
    create: z.array(componentId),
    update: z.array(componentId.extend({ pointers: z.array(z.string()) })),
    unchanged: z.array(componentId),
    delete: z.array(componentId),
  }),
  counts: z.object({
    create: z.number().int(),
    update: z.number().int(),
    unchanged: z.number().int(),
    delete: z.number().int(),
    conflicts: z.number().int(),
    missingDependencies: z.number().int(),
  }),
  conflicts: z.array(componentId.extend({ outcome: z.string() })),
  missingDependencies: z.array(componentId.extend({ references: componentId })),
  bot: z.object({ description: z.object({ from: z.string(), to: z.string() }).optional() }),
  notes: z.array(z.string()),
  truncated: z.boolean(),
});

/** A native import job, as every /v1/imports answer shows it. */
export const importView = z.object({
  importId: z.string(),
  status: z.enum(JOB_STATUSES),
  /** A dry run: `plan` says what the import would do; nothing changed. */
  dryRun: z.boolean(),
  progress: z.number().int().min(0).max(100),
  target: z.object({ botName: z.string().optional(), botId: z.string().optional(), localeId: z.string().optional() }),
  mergeStrategy: z.enum([...MERGE_STRATEGIES, 'Replace']),
  notifyUrl: z.string().optional(),
  /** The bot the archive went into, once known. */
  botId: z.string().nullable(),
  botName: z.string().nullable(),
  summary: importSummary.nullable(),
  plan: importPlanView.optional(),
  /** The DRAFT revision this import was made to apply to (a plan's), when given. */
  draftRevision: z.number().int().optional(),
  failureReasons: z.array(z.string()),
  createdAt: isoTime,
  updatedAt: isoTime,
  expiresAt: isoTime,
});
export const importList = z.object({ imports: z.array(importView), nextToken: z.string().optional() });

function targetOf(q: z.infer<typeof startQuery>): ImportTarget {
  if (q.botId && q.localeId) return { kind: 'locale', botId: q.botId, localeId: q.localeId };
  if (q.botId) return { kind: 'bot', botId: q.botId };
  if (q.botName) return { kind: 'named', botName: q.botName };
  return { kind: 'new' };
}

export function view(r: ImportRecord): z.infer<typeof importView> {
  return {
    importId: r.importId,
    status: r.status,
    dryRun: r.dryRun,
    progress: r.progress,
    target: { botName: r.botName ?? undefined, botId: r.botId ?? undefined, localeId: r.localeId ?? undefined },
    mergeStrategy: r.mergeStrategy,
    notifyUrl: r.notifyUrl ?? undefined,
    botId: r.importedBotId,
    botName: r.importedBotName,
    summary: r.summary,
    plan: r.plan ?? undefined,
    draftRevision: r.expectedRevision ?? undefined,
    failureReasons: r.failureReasons,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
    expiresAt: r.expiresAt.toISOString(),
  };
}

/** `/v1/imports`: the archive as the body (application/zip), the target in the query; the same import jobs. */
/** GET /v1/imports/{id}. */
export function importStatus(imports: ImportService) {
  return async (principal: Principal, importId: string): Promise<z.infer<typeof importView>> => view(await imports.describe(principal, importId));
}

export function nativeImportsRouter(ctx: ApiContext): Router {
  const idempotency = new IdempotencyKeys(ctx.redis, ctx.config.QUEUE_PREFIX);
  const r = Router();
  const read = requireScope('imports:read');
  const status = importStatus(ctx.imports);
  const write = requireScope('imports:write');

  r.post('/', write, async (req, res) => {
    const q = parse(startQuery, req.query, 'the query');
    const principal = res.locals.principal;
    const { uploadId, sha1 } = await receiveZipBody(ctx.imports, principal, req, ctx.config.IMPORT_MAX_ARCHIVE_BYTES);
    // The password comes in a header, never the query: URLs end up in access logs.
    const filePassword = req.get(PASSWORD_HEADER) || undefined;
    if (filePassword && filePassword.length > 1024) throw new ValidationError(`${PASSWORD_HEADER} may be at most 1024 characters`);
    // Same key, same target and same archive: the same import (a repeated upload is simply not used).
    let started: ImportRecord | undefined;
    const { jobId, replayed } = await idempotency.once(principal.tenantId, req.get('Idempotency-Key'), { ...q, archiveSha1: sha1 }, async () => {
      started = await ctx.imports.start(principal, 'native', {
        uploadId,
        target: targetOf(q),
        mergeStrategy: q.mergeStrategy,
        filePassword,
        notifyUrl: q.notifyUrl,
        dryRun: q.dryRun === 'true',
        draftRevision: q.draftRevision,
      });
      return started.importId;
    });
    if (replayed) res.setHeader('Idempotent-Replayed', 'true');
    res
      .status(202)
      .location(`/v1/imports/${jobId}`)
      .json(view(started ?? (await ctx.imports.describe(principal, jobId))));
  });

  r.get('/', read, async (req, res) => {
    const q = parse(listQuery, req.query, 'the query');
    const { records, nextToken } = await ctx.imports.list(res.locals.principal, {
      botId: q.botId,
      order: 'Descending',
      limit: q.limit,
      nextToken: q.nextToken,
    });
    res.json({ imports: records.map(view), nextToken });
  });

  r.get('/:importId', read, async (req, res) => {
    res.json(await status(res.locals.principal, String(req.params.importId)));
  });

  r.get('/:importId/deliveries', read, async (req, res) => {
    res.json(deliveries(await ctx.imports.deliveries(res.locals.principal, String(req.params.importId))));
  });

  r.delete('/:importId', write, async (req, res) => {
    res.status(202).json(view(await ctx.imports.delete(res.locals.principal, String(req.params.importId))));
  });

  return r;
}

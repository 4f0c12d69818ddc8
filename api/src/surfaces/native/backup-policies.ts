import {
  BACKUP_SERIES,
  type BackupArchive,
  type BackupPolicy,
  type BackupRun,
  BackupService,
  FILE_FORMATS,
  nameSchema,
  nextSlots,
  type PolicyInput,
} from '@botport/shared';
import { type Request, Router } from 'express';
import { z } from 'zod';
import type { ApiContext } from '../../context';
import { requireScope } from '../../http/auth';
import { exportOptionsSchema } from '../../http/export-options';
import { botIdSchema } from '../../http/fields';
import { parse } from '../../http/validate';
import { view as importView } from './imports';

const s3Destination = z
  .object({
    type: z.literal('s3'),
    endpoint: z.string().min(1).max(2048).describe('the S3 API, e.g. https://s3.eu-central-1.amazonaws.com'),
    bucket: z.string().min(3).max(63),
    prefix: z.string().max(512).optional().describe("prepended to every key ('' for the bucket's root)"),
    region: z.string().min(1).max(64).optional(),
    forcePathStyle: z.boolean().optional(),
    accessKeyId: z.string().min(1).max(256),
    secretAccessKey: z.string().min(1).max(1024).optional().describe('sealed at once, never shown again; on PUT, left out keeps the one saved'),
  })
  .strict();

/** A backup policy as a caller writes it (POST, and PUT which replaces it). */
export const policyBody = z
  .object({
    name: nameSchema,
    botId: botIdSchema.nullable().optional().describe('one bot; left out or null: every bot of the tenant'),
    schedule: z.string().min(1).max(200).describe("cron: '0 3 * * *' (five fields) or with seconds first (six)"),
    timezone: z.string().min(1).max(64).optional(),
    versions: z.array(z.enum(BACKUP_SERIES)).min(1).max(2).default(['DRAFT']),
    fileFormat: z.enum(FILE_FORMATS).default('BotportJson'),
    exportOptions: exportOptionsSchema.optional(),
    retention: z
      .object({ keepLast: z.number().int().min(1).max(100000).nullable().optional(), keepDays: z.number().int().min(1).max(3650).nullable().optional() })
      .strict()
      .optional(),
    filePassword: z.string().min(1).max(1024).nullable().optional(),
    destination: z.discriminatedUnion('type', [z.object({ type: z.literal('botport') }).strict(), s3Destination]).default({ type: 'botport' }),
    notifyUrl: z.string().max(2048).nullable().optional().describe('told (signed POST) when a run fails'),
    enabled: z.boolean().optional(),
  })
  .strict();

export const listQuery = z.object({
  botId: botIdSchema.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(200).optional(),
});
export const archivesQuery = z.object({ botId: botIdSchema.optional(), limit: z.coerce.number().int().min(1).max(500).default(100) });
export const restoreQuery = z.object({ dryRun: z.enum(['true', 'false']).optional() }).strict();

const destinationView = z.union([
  z.object({ type: z.literal('botport') }),
  s3Destination.omit({ secretAccessKey: true }).required({ prefix: true, region: true, forcePathStyle: true }),
]);
export const policyResponse = z.object({
  policyId: z.string(),
  name: z.string(),
  botId: z.string().nullable(),
  schedule: z.string(),
  timezone: z.string(),
  nextRuns: z.array(z.string()),
  versions: z.array(z.enum(BACKUP_SERIES)),
  fileFormat: z.string(),
  exportOptions: z.record(z.string(), z.unknown()),
  retention: z.object({ keepLast: z.number().nullable(), keepDays: z.number().nullable() }),
  passwordProtected: z.boolean(),
  destination: destinationView,
  notifyUrl: z.string().nullable(),
  enabled: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export const policyListResponse = z.object({ policies: z.array(policyResponse), nextCursor: z.string().optional() });
const runItem = z.object({
  botId: z.string(),
  botName: z.string(),
  series: z.enum(BACKUP_SERIES),
  botVersion: z.string().nullable(),
  outcome: z.enum(['written', 'unchanged', 'skipped', 'failed']),
  archiveId: z.string().optional(),
  sha256: z.string().optional(),
  sizeBytes: z.number().optional(),
  reason: z.string().optional(),
});
export const runResponse = z.object({
  runId: z.string(),
  policyId: z.string(),
  trigger: z.enum(['schedule', 'manual']),
  slot: z.string().nullable(),
  status: z.enum(['InProgress', 'Completed', 'Unchanged', 'Failed']),
  items: z.array(runItem),
  failureReasons: z.array(z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export const runListResponse = z.object({ runs: z.array(runResponse), nextCursor: z.string().optional() });
export const archiveResponse = z.object({
  archiveId: z.string(),
  policyId: z.string(),
  runId: z.string(),
  botId: z.string(),
  botName: z.string(),
  series: z.enum(BACKUP_SERIES),
  botVersion: z.string(),
  sha256: z.string(),
  contentSha256: z.string().describe('the SHA-256 of the archive as it would be without a password: what "unchanged" compares'),
  sizeBytes: z.number(),
  objectKey: z.string().describe("the key in the destination's bucket"),
  downloadUrl: z.string().optional().describe("botport's bucket only, pre-signed for five minutes"),
  createdAt: z.string(),
});
export const archiveListResponse = z.object({ archives: z.array(archiveResponse) });

function policyView(p: BackupPolicy): z.infer<typeof policyResponse> {
  return {
    policyId: p.policyId,
    name: p.name,
    botId: p.botId,
    schedule: p.schedule,
    timezone: p.timezone,
    nextRuns: p.enabled ? nextSlots(p.schedule, p.timezone, 3).map((d) => d.toISOString()) : [],
    versions: p.versions,
    fileFormat: p.fileFormat,
    exportOptions: p.options as Record<string, unknown>,
    retention: { keepLast: p.keepLast, keepDays: p.keepDays },
    passwordProtected: p.hasPassword,
    destination: p.destination,
    notifyUrl: p.notifyUrl,
    enabled: p.enabled,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  };
}

const runView = (r: BackupRun): z.infer<typeof runResponse> => ({
  runId: r.runId,
  policyId: r.policyId,
  trigger: r.trigger,
  slot: r.slot?.toISOString() ?? null,
  status: r.status,
  items: r.items,
  failureReasons: r.failureReasons,
  createdAt: r.createdAt.toISOString(),
  updatedAt: r.updatedAt.toISOString(),
});

const archiveView = (a: BackupArchive, downloadUrl?: string): z.infer<typeof archiveResponse> => ({
  archiveId: a.archiveId,
  policyId: a.policyId,
  runId: a.runId,
  botId: a.botId,
  botName: a.botName,
  series: a.series,
  botVersion: a.botVersion,
  sha256: a.sha256,
  contentSha256: a.contentSha256,
  sizeBytes: a.sizeBytes,
  objectKey: a.objectKey,
  downloadUrl,
  createdAt: a.createdAt.toISOString(),
});

function inputOf(body: z.infer<typeof policyBody>): PolicyInput {
  const { exportOptions, ...rest } = body;
  return { ...rest, options: exportOptions };
}

const policyId = (req: Request) => String(req.params.policyId);

/** `/v1/backup-policies`: scheduled backups, their runs, their archives, and restoring one. */
export function backupPoliciesRouter(ctx: ApiContext, backups = new BackupService({ ...ctx, settings: ctx.config })): Router {
  const r = Router();
  const backup = requireScope('backup');

  r.post('/', backup, async (req, res) => {
    const policy = await backups.create(res.locals.principal, inputOf(parse(policyBody, req.body ?? {})));
    res.status(201).location(`/v1/backup-policies/${policy.policyId}`).json(policyView(policy));
  });

  r.get('/', backup, async (req, res) => {
    const q = parse(listQuery, req.query, 'the query');
    const page = await backups.list(res.locals.principal, q);
    res.json({ policies: page.items.map(policyView), nextCursor: page.nextCursor });
  });

  r.get('/:policyId', backup, async (req, res) => {
    res.json(policyView(await backups.get(res.locals.principal, policyId(req))));
  });

  r.put('/:policyId', backup, async (req, res) => {
    res.json(policyView(await backups.update(res.locals.principal, policyId(req), inputOf(parse(policyBody, req.body ?? {})))));
  });

  r.delete('/:policyId', backup, async (req, res) => {
    await backups.delete(res.locals.principal, policyId(req));
    res.status(204).end();
  });

  r.post('/:policyId/runs', backup, async (req, res) => {
    const run = await backups.startRun(res.locals.principal, policyId(req));
    res.status(202).location(`/v1/backup-policies/${run.policyId}/runs/${run.runId}`).json(runView(run));
  });

  r.get('/:policyId/runs', backup, async (req, res) => {
    const q = parse(listQuery.omit({ botId: true }), req.query, 'the query');
    const page = await backups.listRuns(res.locals.principal, policyId(req), q);
    res.json({ runs: page.items.map(runView), nextCursor: page.nextCursor });
  });

  r.get('/:policyId/runs/:runId', backup, async (req, res) => {
    res.json(runView(await backups.getRun(res.locals.principal, policyId(req), String(req.params.runId))));
  });

  r.get('/:policyId/archives', backup, async (req, res) => {
    const q = parse(archivesQuery, req.query, 'the query');
    res.json({ archives: (await backups.listArchives(res.locals.principal, policyId(req), q)).map((a) => archiveView(a)) });
  });

  r.get('/:policyId/archives/:archiveId', backup, async (req, res) => {
    const { archive } = await backups.getArchive(res.locals.principal, policyId(req), String(req.params.archiveId));
    res.json(archiveView(archive, await backups.downloadUrl(res.locals.principal, policyId(req), archive.archiveId)));
  });

  // Restore in one call: the backup becomes the bot's DRAFT (an import with Replace; dryRun=true plans it).
  r.post('/:policyId/archives/:archiveId/restore', backup, requireScope('imports:write'), async (req, res) => {
    const q = parse(restoreQuery, req.query, 'the query');
    const record = await backups.restore(res.locals.principal, policyId(req), String(req.params.archiveId), { dryRun: q.dryRun === 'true' });
    res.status(202).location(`/v1/imports/${record.importId}`).json(importView(record));
  });

  return r;
}

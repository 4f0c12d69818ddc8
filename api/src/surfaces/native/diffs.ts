import { DiffService, storedArchives, type ArchiveResolver } from '@botport/shared';
import { type Request, type Response, Router } from 'express';
import { z } from 'zod';
import type { ApiContext } from '../../context';
import { receiveZipBody } from '../../http/archive-upload';
import { requireScope } from '../../http/auth';
import { parse } from '../../http/validate';

const side = z.string().min(1).max(80).describe('DRAFT, a version number, export:ID, upload:ID or backup:ID');
export const diffQuery = z.object({ from: side, to: side }).strict();
/** POST: the archive in the body is the `to` side. */
export const diffUploadQuery = z.object({ from: side }).strict();

const componentId = z.object({ kind: z.string(), locale: z.string().optional(), name: z.string() });
const diffSide = z.object({
  ref: z.string(),
  kind: z.enum(['version', 'archive']),
  format: z.string(),
  bot: z.object({ name: z.string(), description: z.string() }),
});

/** A diff's answer: per component added, removed, changed (with JSON pointers of the changed fields). */
export const diffResponse = z.object({
  from: diffSide,
  to: diffSide,
  comparedAs: z.string().describe('the format both sides were compared in'),
  bot: z.object({ changed: z.array(z.string()) }),
  added: z.array(componentId),
  removed: z.array(componentId),
  changed: z.array(componentId.extend({ pointers: z.array(z.string()) })),
  unchanged: z.number().int(),
  counts: z.object({ added: z.number().int(), removed: z.number().int(), changed: z.number().int() }),
  truncated: z.boolean(),
  notes: z.array(z.string()),
});

/** `/v1/bots/{botId}/diff`: two sides of a bot compared by content. */
export function diffsRouter(ctx: ApiContext, extraArchives: Record<string, ArchiveResolver> = {}): Router {
  const diffs = new DiffService({ db: ctx.db, bots: ctx.bots, limits: ctx.config, archives: { ...storedArchives(ctx), ...extraArchives } });
  const r = Router();
  const read = requireScope('bots:read');
  // An export's content is an export's to read.
  const exportSide = (req: Request, res: Response, next: () => void) =>
    Object.values(req.query).some((v) => String(v).startsWith('export:')) ? requireScope('exports:read')(req, res, next) : next();

  r.get('/:botId/diff', read, exportSide, async (req, res) => {
    const q = parse(diffQuery, req.query, 'the query');
    res.json(await diffs.diff(res.locals.principal, String(req.params.botId), q.from, q.to));
  });

  r.post('/:botId/diff', read, exportSide, async (req, res) => {
    const q = parse(diffUploadQuery, req.query, 'the query');
    const { uploadId } = await receiveZipBody(ctx.imports, res.locals.principal, req, ctx.config.IMPORT_MAX_ARCHIVE_BYTES);
    res.json(await diffs.diff(res.locals.principal, String(req.params.botId), q.from, `upload:${uploadId}`));
  });

  return r;
}

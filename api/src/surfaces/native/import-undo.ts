import { Router } from 'express';
import { z } from 'zod';
import type { ApiContext } from '../../context';
import { requireScope } from '../../http/auth';

/** `POST /v1/imports/{id}/undo`'s answer. */
export const undoResponse = z.object({
  importId: z.string(),
  botId: z.string(),
  botDeleted: z.boolean().describe('the import had created the bot, so undoing it deleted the bot'),
  restored: z.number().int().describe('components put back as they were before the import'),
  removed: z.number().int().describe('components the import had added, removed again'),
});

/** `GET /v1/imports/{id}/undo`'s answer. */
export const undoStateResponse = z.object({ importId: z.string(), undoable: z.boolean(), undoneAt: z.string().nullable() });

/** `/v1/imports/{id}/undo`: whether an import can be undone, and undoing it (the DRAFT as it was before). */
export function importUndoRouter(ctx: ApiContext): Router {
  const r = Router();

  r.get('/:importId/undo', requireScope('imports:read'), async (req, res) => {
    const record = await ctx.imports.describe(res.locals.principal, String(req.params.importId));
    const state = await ctx.imports.undoState(res.locals.principal, record);
    res.json(undoStateResponse.parse({ importId: record.importId, undoable: state.undoable, undoneAt: state.undoneAt?.toISOString() ?? null }));
  });

  r.post('/:importId/undo', requireScope('imports:write'), requireScope('bots:write'), async (req, res) => {
    res.json(undoResponse.parse(await ctx.imports.undo(res.locals.principal, String(req.params.importId))));
  });

  return r;
}

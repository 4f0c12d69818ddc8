import { ExportRecord, NotFoundError } from '@botport/shared';
import { Router } from 'express';
import { z } from 'zod';
import { ApiContext } from '../../context';
import { authenticate, requireScope } from '../../http/auth';
import { jsonBody } from '../../http/body';
import { fromKore, koreExportFields } from '../../http/export-options';
import { parse } from '../../http/validate';
import { koreErrorHandler } from './errors';

const exportBody = z.object({ exportType: z.enum(['latest', 'published']), ...koreExportFields }).strict();

const STATUS = { InProgress: 'pending', Completed: 'success', Failed: 'failed', Deleting: 'failed' } as const;

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

/** The Kore.ai surface: bot export and export status, Kore's `auth` header and error shape. */
export function koreRouter(ctx: ApiContext): Router {
  const r = Router();
  r.use(jsonBody(ctx.config.BODY_LIMIT), authenticate(ctx.config, { koreHeader: true }));

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

  r.use(koreErrorHandler);
  return r;
}

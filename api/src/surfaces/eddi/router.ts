import { ExportRecord, NotFoundError, Principal, ValidationError, VERSION_PATTERN } from '@botport/shared';
import { NextFunction, Request, Response, Router } from 'express';
import { ApiContext } from '../../context';
import { authenticate, requireScope } from '../../http/auth';
import { setRetryAfter, toAppError } from '../../http/errors';

const POLL_MS = 100;
const RETRY_AFTER_SECONDS = 2;
/** `{botId}-{botVersion}-{exportId}.zip`: EDDI's `{botId}-{version}.zip`, made unique per export. */
const FILE = /^([0-9A-Za-z]{10})-(DRAFT|[1-9][0-9]*)-([0-9A-Za-z]{10})\.zip$/;

const fileName = (r: ExportRecord) => `${r.botId}-${r.botVersion}-${r.exportId}.zip`;

/** EDDI's errors: the status and `{"error": message}`. */
function eddiErrorHandler(err: unknown, req: Request, res: Response, next: NextFunction) {
  if (res.headersSent) return next(err);
  const e = toAppError(err, req);
  setRetryAfter(res, e);
  res.status(e.status).json({ error: e.message });
}

/** The EDDI surface (mounted at /backup): POST /backup/export/{botId} answers with the archive's Location. */
export function eddiRouter(ctx: ApiContext): Router {
  const r = Router();
  r.use(authenticate(ctx.config));
  const locationOf = (record: ExportRecord) => `${ctx.config.PUBLIC_BASE_URL ?? ''}/backup/export/${fileName(record)}`;

  /** Waits up to the configured time for the export to leave InProgress. */
  async function settle(principal: Principal, record: ExportRecord): Promise<ExportRecord> {
    const deadline = Date.now() + ctx.config.EDDI_EXPORT_WAIT_MS;
    while (record.status === 'InProgress' && Date.now() < deadline) {
      await new Promise((res) => setTimeout(res, POLL_MS));
      record = await ctx.exports.describe(principal, record.exportId);
    }
    return record;
  }

  r.post('/export/:botId', requireScope('exports:write'), async (req, res) => {
    const botVersion = typeof req.query.botVersion === 'string' ? req.query.botVersion : '';
    if (!VERSION_PATTERN.test(botVersion)) throw new ValidationError('botVersion must be a version number (or DRAFT)');
    const principal = res.locals.principal;
    const created = await ctx.exports.create(principal, 'eddi', { botId: String(req.params.botId), botVersion, fileFormat: 'BotportJson' });
    const record = await settle(principal, created);
    res.location(locationOf(record));
    if (record.status === 'Failed') return res.status(500).json({ error: `the export failed: ${record.failureReasons.join('; ')}` });
    if (record.status === 'InProgress') res.status(202).setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
    res.end();
  });

  r.get('/export/:file', requireScope('exports:read'), async (req, res) => {
    const match = FILE.exec(String(req.params.file));
    if (!match) throw new NotFoundError('no such export file');
    const record = await ctx.exports.describe(res.locals.principal, match[3]);
    if (record.botId !== match[1] || record.botVersion !== match[2]) throw new NotFoundError('no such export file');
    if (record.status === 'InProgress') return res.status(202).setHeader('Retry-After', String(RETRY_AFTER_SECONDS)).end();
    const url = await ctx.exports.downloadUrl(record);
    if (!url) throw new NotFoundError(`the export failed: ${record.failureReasons.join('; ')}`);
    res.redirect(302, url);
  });

  r.use(eddiErrorHandler);
  return r;
}

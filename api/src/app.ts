import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { ApiContext } from './context';
import { useRequestLog } from './http/request-log';
import { adminRouter } from './surfaces/admin/router';
import { consoleRouter } from './surfaces/console';
import { eddiRouter } from './surfaces/eddi/router';
import { koreRouter } from './surfaces/kore/router';
import { lexRouter } from './surfaces/lex/router';
import { metrics } from './surfaces/metrics';
import { nativeRouter } from './surfaces/native/router';
import { openApiDocument } from './openapi/document';
import { operationsRouter } from './surfaces/operations';
import { xeniooRouter } from './surfaces/xenioo/router';

/** The HTTP application: operations endpoints, then one router per surface. */
export function createApp(ctx: ApiContext): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', true);
  useRequestLog(app, ctx.logger);
  const measured = metrics(ctx);
  app.use(measured.middleware);
  app.use(operationsRouter(ctx, openApiDocument(ctx.config.PUBLIC_BASE_URL)));
  app.use(measured.router);
  app.use('/console', consoleRouter());
  app.use('/admin', adminRouter(ctx));
  // Before the others: the Lex surface also answers any SigV4-signed request, whatever its path (see isLexRequest).
  app.use(lexRouter(ctx));
  app.use('/v1', nativeRouter(ctx));
  app.use('/api/public', koreRouter(ctx));
  app.use('/backup', eddiRouter(ctx));
  app.use(xeniooRouter(ctx));
  app.use((_req: Request, res: Response) => {
    res
      .status(404)
      .type('application/problem+json')
      .send(JSON.stringify({ type: 'about:blank', title: 'Not Found', status: 404, detail: 'no such route' }));
  });
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    req.log.error({ err }, 'unhandled error');
    if (!res.headersSent) res.status(500).json({ message: 'internal error' });
  });
  return app;
}

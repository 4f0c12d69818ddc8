import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { ApiContext } from './context';
import { bearerPrincipal, korePrincipal, lexPrincipal } from './http/auth';
import { useRequestLog } from './http/request-log';
import { statusLane } from './http/status-lane';
import { adminRouter } from './surfaces/admin/router';
import { consoleRouter } from './surfaces/console';
import { eddiRouter } from './surfaces/eddi/router';
import { botExportStatus, botImportStatus, koreRouter } from './surfaces/kore/router';
import { describeExport } from './surfaces/lex/exports';
import { describeImport } from './surfaces/lex/imports';
import { lexRouter } from './surfaces/lex/router';
import { type Metrics, metrics } from './surfaces/metrics';
import { exportStatus } from './surfaces/native/exports';
import { importStatus } from './surfaces/native/imports';
import { nativeRouter } from './surfaces/native/router';
import { openApiDocument } from './openapi/document';
import { operationsRouter } from './surfaces/operations';
import { xeniooRouter } from './surfaces/xenioo/router';

/**
 * The api's HTTP server: the status lane (the status reads pollers make all
 * day, answered from the caches before Express), then the application.
 */
export function createServer(ctx: ApiContext): Server {
  const measured = metrics(ctx);
  const app = createApp(ctx, measured);
  const lex = lexPrincipal(ctx);
  const bearer = bearerPrincipal(ctx);
  const kore = korePrincipal(ctx);
  const reads = [
    { path: '/exports/:exportId/', signIn: lex, scope: 'exports:read', answer: describeExport(ctx.exports) },
    { path: '/imports/:importId/', signIn: lex, scope: 'imports:read', answer: describeImport(ctx.imports) },
    { path: '/v1/exports/:exportId', signIn: bearer, scope: 'exports:read', answer: exportStatus(ctx.exports) },
    { path: '/v1/imports/:importId', signIn: bearer, scope: 'imports:read', answer: importStatus(ctx.imports) },
    { path: '/api/public/bot/:botId/export/status', signIn: kore, scope: 'exports:read', answer: botExportStatus(ctx) },
    { path: '/api/public/bot/import/status/:birId', signIn: kore, scope: 'imports:read', answer: botImportStatus(ctx) },
  ];
  return createHttpServer(statusLane(reads, { logger: ctx.logger, metrics: measured }, app));
}

/** The HTTP application: operations endpoints, then one router per surface. */
export function createApp(ctx: ApiContext, measured: Metrics = metrics(ctx)): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', true);
  useRequestLog(app, ctx.logger);
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

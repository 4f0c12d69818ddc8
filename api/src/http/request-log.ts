import type { Logger } from '@botport/shared';
import type { Express, NextFunction, Request, Response } from 'express';
import { requestId } from './request-id';

declare module 'express-serve-static-core' {
  interface Request {
    /** The request's id (X-Request-Id): on its log lines and in its answer. */
    id: string;
    /** A logger whose lines carry the request's id, method and path (made on first use). */
    log: Logger;
  }
}

const QUIET = new Set(['/healthz', '/readyz', '/metrics']);
const CHILD = Symbol('request logger');

/**
 * One log line per request at `debug` (and a failed one, 5xx, at `error`),
 * none at `info`: status polling is most of the traffic, and its counts and
 * latencies are in /metrics. Method, path and id only: headers (tokens),
 * queries and bodies (passwords) stay out of the logs. `req.log` is a getter
 * on Express's request prototype, so a request that logs nothing never makes
 * a child logger and keeps its shape.
 */
export function useRequestLog(app: Express, logger: Logger): void {
  Object.defineProperty(app.request, 'log', {
    get(this: Request & { [CHILD]?: Logger }) {
      return (this[CHILD] ??= logger.child({ req: { id: this.id, method: this.method, url: this.originalUrl.split('?')[0] } }));
    },
  });
  app.use((req: Request, res: Response, next: NextFunction) => {
    const started = performance.now();
    req.id = requestId(req, res);
    res.on('finish', () => {
      const failed = res.statusCode >= 500;
      if (!failed && (!logger.isLevelEnabled('debug') || QUIET.has(req.originalUrl.split('?')[0]))) return;
      req.log[failed ? 'error' : 'debug']({ res: { statusCode: res.statusCode }, responseTime: Math.round(performance.now() - started) }, 'request completed');
    });
    next();
  });
}

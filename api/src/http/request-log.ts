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
      if (res.statusCode < 500 && (!logger.isLevelEnabled('debug') || QUIET.has(req.originalUrl.split('?')[0]))) return;
      logCompleted(req.log, res.statusCode, performance.now() - started);
    });
    next();
  });
}

/** A request's line: at `error` when it failed (5xx), else at `debug`. */
export function logCompleted(log: Logger, statusCode: number, ms: number): void {
  log[statusCode >= 500 ? 'error' : 'debug']({ res: { statusCode }, responseTime: Math.round(ms) }, 'request completed');
}

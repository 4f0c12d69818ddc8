import type { Logger } from '@botport/shared';
import type { NextFunction, Request, Response } from 'express';
import { requestId } from './request-id';

declare module 'express-serve-static-core' {
  interface Request {
    /** The request's id (X-Request-Id): on its log lines and in its answer. */
    id: string;
    /** A logger whose lines carry the request's id, method and path. */
    log: Logger;
  }
}

const QUIET = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * One log line per request at `debug` (and a failed one, 5xx, at `error`),
 * none at `info`: status polling is most of the traffic, and its counts and
 * latencies are in /metrics. Method, path and id only: headers (tokens),
 * queries and bodies (passwords) stay out of the logs. The request's child
 * logger is made only when something logs through it.
 */
export function requestLog(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction) => {
    const started = performance.now();
    const id = requestId(req, res);
    const path = req.originalUrl.split('?')[0];
    req.id = id;
    let child: Logger | undefined;
    Object.defineProperty(req, 'log', { get: () => (child ??= logger.child({ req: { id, method: req.method, url: path } })) });
    res.on('finish', () => {
      const failed = res.statusCode >= 500;
      if (!failed && (QUIET.has(path) || !logger.isLevelEnabled('debug'))) return;
      req.log[failed ? 'error' : 'debug']({ res: { statusCode: res.statusCode }, responseTime: Math.round(performance.now() - started) }, 'request completed');
    });
    next();
  };
}

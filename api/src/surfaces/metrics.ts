import { metricsAllowed, metricsRegistry } from '@botport/shared';
import { type NextFunction, type Request, type Response, Router } from 'express';
import { Counter, Gauge, Histogram } from 'prom-client';
import type { ApiContext } from '../context';

/**
 * Prometheus metrics at GET /metrics: HTTP latency by route, jobs by kind,
 * surface and status (from PostgreSQL, the record of truth), queue depth by
 * state (from Redis). The worker serves job durations itself (METRICS_PORT).
 */
export interface Metrics {
  middleware: (req: Request, res: Response, next: NextFunction) => void;
  router: Router;
  /** One request's latency, by route pattern. */
  observe(method: string, route: string, statusCode: number, seconds: number): void;
  /** A status read the status lane answered, or passed to Express (it threw: not found, refused…). */
  countLane(outcome: 'answered' | 'passed'): void;
}

export function metrics(ctx: ApiContext): Metrics {
  const registry = metricsRegistry('api');
  const http = new Histogram({
    name: 'botport_http_request_duration_seconds',
    help: 'HTTP request latency by method, route and status class',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [registry],
  });
  // Counted here, handed to prom-client at each scrape: a labelled inc() hashes its labels every time.
  const laneReads = { answered: 0, passed: 0 };
  new Counter({
    name: 'botport_status_lane_reads_total',
    help: 'Status reads the status lane answered, or passed to the full application',
    labelNames: ['outcome'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [outcome, n] of Object.entries(laneReads)) this.inc({ outcome }, n);
    },
  });
  new Gauge({
    name: 'botport_jobs',
    help: 'Export and import jobs in their seven-day history, by kind, surface and status',
    labelNames: ['kind', 'surface', 'status'],
    registers: [registry],
    async collect() {
      this.reset();
      const { rows } = await ctx.db.query<{ kind: string; surface: string; status: string; n: number }>(
        `SELECT 'export' AS kind, surface, status, count(*)::int AS n FROM export_jobs GROUP BY surface, status
         UNION ALL SELECT 'import', surface, status, count(*)::int FROM import_jobs GROUP BY surface, status`,
      );
      for (const r of rows) this.set({ kind: r.kind, surface: r.surface, status: r.status }, r.n);
    },
  });
  new Gauge({
    name: 'botport_queue_jobs',
    help: 'Queue entries by queue and state',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const { queue, ...counts } of await ctx.queues.counts()) {
        for (const [state, n] of Object.entries(counts)) this.set({ queue, state }, n);
      }
    },
  });

  const router = Router();
  router.get('/metrics', async (req, res) => {
    if (!metricsAllowed(ctx.config, req.get('authorization')))
      return res.status(401).json({ message: 'GET /metrics needs METRICS_TOKEN or an operator token as its bearer' });
    res.type(registry.contentType).send(await registry.metrics());
  });
  function observe(method: string, route: string, statusCode: number, seconds: number) {
    http.observe({ method, route, status: `${Math.floor(statusCode / 100)}xx` }, seconds);
  }
  return {
    router,
    observe,
    countLane: (outcome) => laneReads[outcome]++,
    middleware(req, res, next) {
      const started = performance.now();
      res.on('finish', () => {
        // The route pattern, not the path: ids would make a series per job.
        const route = req.route ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
        observe(req.method, route, res.statusCode, (performance.now() - started) / 1000);
      });
      next();
    },
  };
}

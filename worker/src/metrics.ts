import http from 'node:http';
import type { Worker } from 'bullmq';
import { metricsAllowed, metricsRegistry } from '@botport/shared';
import { Counter, Histogram } from 'prom-client';
import type { WorkerContext } from './context';

/**
 * The worker's Prometheus metrics, served on METRICS_PORT when it is set:
 * jobs finished by queue and outcome, how long they ran, and archive sizes.
 */
export function startMetrics(ctx: WorkerContext, workers: Worker[]): { close(): Promise<void> } {
  const registry = metricsRegistry('worker');
  const finished = new Counter({
    name: 'botport_jobs_finished_total',
    help: 'Jobs finished, by queue and outcome',
    labelNames: ['queue', 'outcome'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'botport_job_duration_seconds',
    help: 'How long a job ran (one attempt), by queue and outcome',
    labelNames: ['queue', 'outcome'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [registry],
  });
  const archiveSize = new Histogram({
    name: 'botport_export_archive_bytes',
    help: 'Size of each export archive built',
    buckets: [1e4, 1e5, 1e6, 1e7, 5e7, 1e8, 5e8, 1e9, 5e9],
    registers: [registry],
  });
  for (const w of workers) {
    const observe = (outcome: string, job?: { processedOn?: number; finishedOn?: number }) => {
      finished.inc({ queue: w.name, outcome });
      if (job?.processedOn && job.finishedOn) duration.observe({ queue: w.name, outcome }, (job.finishedOn - job.processedOn) / 1000);
    };
    w.on('completed', (job, result: { sizeBytes?: number } | undefined) => {
      observe('completed', job);
      if (typeof result?.sizeBytes === 'number') archiveSize.observe(result.sizeBytes);
    });
    w.on('failed', (job) => observe('failed', job));
  }
  const port = ctx.config.METRICS_PORT;
  if (port === undefined) return { close: async () => undefined };
  const server = http.createServer(async (req, res) => {
    if (req.url !== '/metrics') return res.writeHead(404).end();
    if (!metricsAllowed(ctx.config, req.headers.authorization)) return res.writeHead(401).end();
    res.writeHead(200, { 'content-type': registry.contentType }).end(await registry.metrics());
  });
  server.listen(port, () => ctx.logger.info({ port: (server.address() as { port: number }).port }, 'worker metrics listening'));
  return { close: () => new Promise((resolve) => server.close(() => resolve())) };
}

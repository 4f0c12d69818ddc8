import { Worker } from 'bullmq';
import { createRedis, type RedisConnection } from '@botport/shared';
import type { WorkerContext } from './context';
import { processors } from './processors';

export interface RunningWorkers {
  queueNames: string[];
  workers: Worker[];
  /**
   * Lets in-flight jobs finish for up to `graceMs`, then force-closes: a job
   * cut short stays in Redis as active and stalled-job recovery hands it to
   * another worker, so nothing is lost either way.
   */
  close(graceMs: number): Promise<void>;
}

/** One BullMQ Worker per queue that has processors, on its own blocking connection. */
export async function startWorkers(ctx: WorkerContext): Promise<RunningWorkers> {
  // BullMQ leaves a connection it was handed open, so we keep and close ours.
  const connections: RedisConnection[] = [];
  const workers = processors(ctx).map(
    ({ queue, handle, concurrency }) =>
      new Worker(queue, handle, {
        connection: connections[connections.push(createRedis(ctx.config, 'worker')) - 1],
        prefix: ctx.config.QUEUE_PREFIX,
        concurrency,
        lockDuration: ctx.config.JOB_LOCK_MS,
        stalledInterval: Math.max(1000, Math.floor(ctx.config.JOB_LOCK_MS / 2)),
        maxStalledCount: 3,
      }),
  );
  for (const w of workers) {
    w.on('failed', (job, err) => ctx.logger.warn({ queue: w.name, jobId: job?.id, reason: err.message }, 'job failed'));
    w.on('error', (err) => ctx.logger.error({ queue: w.name, err }, 'worker error'));
  }
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  return {
    queueNames: workers.map((w) => w.name),
    workers,
    async close(graceMs) {
      const graceful = Promise.all(workers.map((w) => w.close()));
      const timedOut = await Promise.race([graceful.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), graceMs).unref())]);
      if (timedOut) await Promise.all(workers.map((w) => w.close(true)));
      connections.forEach((c) => c.disconnect());
    },
  };
}

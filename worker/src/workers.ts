import { Worker } from 'bullmq';
import { createRedis, type RedisConnection } from '@botport/shared';
import type { WorkerContext } from './context';
import { processors } from './processors';

export interface RunningWorkers {
  queueNames: string[];
  workers: Worker[];
  /**
   * Takes no new job and lets the running ones finish for up to `graceMs`,
   * then closes for good; resolves `true` when it had to cut jobs short. A
   * job cut short stays active in Redis and, once its lock lapses, stalled-job
   * recovery hands it to another worker: nothing is lost either way.
   */
  close(graceMs: number, stopping?: AbortController): Promise<boolean>;
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
    async close(graceMs, stopping) {
      // BullMQ keeps its first close() and hands it back to a second one, so a
      // graceful close() could never be forced later: wait with pause() (it
      // returns once the running jobs have finished) and close only once.
      let timer: NodeJS.Timeout | undefined;
      const drained = Promise.all(workers.map((w) => w.pause())).then(() => true);
      const graceOver = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), graceMs)));
      const finished = await Promise.race([drained, graceOver]);
      clearTimeout(timer);
      if (!finished) stopping?.abort(); // what the cut-short jobs throw from now on is no failure of theirs
      await Promise.all(workers.map((w) => w.close(!finished)));
      connections.forEach((c) => c.disconnect());
      return !finished;
    },
  };
}

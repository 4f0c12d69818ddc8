import { closeCoreContext, createCoreContext, JobQueues, loadConfigOrExit, migrate } from '@botport/shared';
import type { WorkerContext } from './context';
import { startWorkers, type RunningWorkers } from './workers';
import { startReconciler } from './reconcile-lost-jobs';
import { startMetrics } from './metrics';
import { collectBuffersSooner } from './garbage-collection';

export const createContext = (config: WorkerContext['config']): WorkerContext => ({
  ...createCoreContext(config, 'worker'),
  queues: new JobQueues(config),
  stopping: new AbortController(),
});
export async function closeContext(ctx: WorkerContext): Promise<void> {
  await ctx.queues.close();
  await closeCoreContext(ctx);
}

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  collectBuffersSooner();
  const ctx = createContext(config);
  await migrate(ctx.db);
  const running: RunningWorkers = await startWorkers(ctx);
  const stopReconciler = startReconciler(ctx, ctx.queues, config.RECONCILE_INTERVAL_MS);
  const metrics = startMetrics(ctx, running.workers);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    ctx.logger.info({ signal }, 'shutting down: finishing in-flight jobs');
    await stopReconciler();
    await metrics.close();
    const cutShort = await running.close(config.SHUTDOWN_GRACE_MS, ctx.stopping);
    if (cutShort) {
      // The jobs cut short still hold database connections; their queue entries go to another worker.
      ctx.logger.warn({ graceMs: config.SHUTDOWN_GRACE_MS }, 'grace period over: running jobs handed back to the queue');
      await Promise.race([closeContext(ctx), new Promise((r) => setTimeout(r, 1000))]);
    } else await closeContext(ctx);
    ctx.logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  // Said once a signal would be handled: whoever waits for this line may stop the worker at once.
  ctx.logger.info({ queues: running.queueNames }, 'worker started');
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`worker failed to start: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  });
}

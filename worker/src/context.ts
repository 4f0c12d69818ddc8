import type { CoreContext, JobQueues } from '@botport/shared';

/**
 * What every processor may use, built once per worker process; `queues` to
 * enqueue follow-up work (notifications); `stopping` is aborted when a
 * shutdown cuts running jobs short.
 */
export type WorkerContext = CoreContext & { queues: JobQueues; stopping: AbortController };

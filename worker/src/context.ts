import type { CoreContext, JobQueues } from '@botport/shared';

/** What every processor may use, built once per worker process; `queues` to enqueue follow-up work (notifications). */
export type WorkerContext = CoreContext & { queues: JobQueues };

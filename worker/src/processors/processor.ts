import type { Job } from 'bullmq';
import type { QueueName } from '@botport/shared';

/** One queue's work: what a BullMQ Worker on that queue runs, and how many at once. */
export interface Processor {
  queue: QueueName;
  concurrency: number;
  handle: (job: Job) => Promise<unknown>;
}

import { Job } from 'bullmq';
import { QueueName } from '@botport/shared';
import { WorkerContext } from '../context';

export interface Processor {
  queue: QueueName;
  concurrency: number;
  handle: (job: Job) => Promise<unknown>;
}

/** Every job processor this worker runs, by queue. */
export function processors(_ctx: WorkerContext): Processor[] {
  return [];
}

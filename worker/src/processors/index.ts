import { Job } from 'bullmq';
import { QueueName } from '@botport/shared';
import { WorkerContext } from '../context';
import { exportProcessor } from './export';
import { importProcessor } from './import';
import { maintenanceProcessor } from './maintenance';

export interface Processor {
  queue: QueueName;
  concurrency: number;
  handle: (job: Job) => Promise<unknown>;
}

/** Every job processor this worker runs, by queue. */
export function processors(ctx: WorkerContext): Processor[] {
  return [exportProcessor(ctx), importProcessor(ctx), maintenanceProcessor(ctx)];
}

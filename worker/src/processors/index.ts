import type { WorkerContext } from '../context';
import { exportProcessor } from './export';
import { importProcessor } from './import';
import { maintenanceProcessor } from './maintenance';
import { backupRunProcessor } from './backup-run';

import type { Processor } from './processor';

/** Every job processor this worker runs, by queue. */
export function processors(ctx: WorkerContext): Processor[] {
  return [exportProcessor(ctx), importProcessor(ctx), maintenanceProcessor(ctx), backupRunProcessor(ctx)];
}

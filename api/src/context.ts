import type { CoreContext, ExportService, ImportService, JobQueues } from '@botport/shared';

/** Everything a request handler may touch, built once at start. */
export interface ApiContext extends CoreContext {
  queues: JobQueues;
  exports: ExportService;
  imports: ImportService;
}

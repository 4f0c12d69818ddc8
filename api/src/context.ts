import type { BotService, CoreContext, ExportService, ImportService, JobQueues } from '@botport/shared';

/** Everything a request handler may touch, built once at start. */
export interface ApiContext extends CoreContext {
  queues: JobQueues;
  /** Bots as a caller may see and change them (tenant, bot token). */
  botService: BotService;
  exports: ExportService;
  imports: ImportService;
}

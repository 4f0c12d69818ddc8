import { BotStore, Config, Db, ExportService, JobQueues, Logger, Storage } from '@botport/shared';
import { Redis } from 'ioredis';

/** Everything a request handler may touch, built once at start. */
export interface ApiContext {
  config: Config;
  logger: Logger;
  db: Db;
  redis: Redis;
  storage: Storage;
  bots: BotStore;
  queues: JobQueues;
  exports: ExportService;
}

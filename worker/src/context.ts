import { BotStore, Config, Db, Logger, Storage } from '@botport/shared';
import { Redis } from 'ioredis';

/** What every processor may use, built once per worker process. */
export interface WorkerContext {
  config: Config;
  logger: Logger;
  db: Db;
  /** Producer-side connection (adding jobs, keys); BullMQ workers open their own. */
  redis: Redis;
  storage: Storage;
  bots: BotStore;
}

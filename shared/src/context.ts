import { BotStore } from './bots/bot-store';
import { type Config, secretsKey } from './config/config';
import { createLogger, type Logger } from './logging/logger';
import { createRedis, type RedisConnection } from './queue/queues';
import { createPool, type Db } from './store/db';
import { SealedSecrets } from './secrets/sealed-secrets';
import { Storage } from './storage/s3';

/** The connections and stores both processes build once at start. */
export interface CoreContext {
  config: Config;
  logger: Logger;
  db: Db;
  /** Producer-side connection (rate limits, throttles); BullMQ workers open their own. */
  redis: RedisConnection;
  storage: Storage;
  bots: BotStore;
  /** Seals archive passwords between api and worker (SECRETS_KEY). */
  secrets: SealedSecrets;
}

export function createCoreContext(config: Config, name: 'api' | 'worker'): CoreContext {
  const db = createPool(config.DATABASE_URL);
  return {
    config,
    logger: createLogger(name, config.LOG_LEVEL),
    db,
    redis: createRedis(config, 'producer'),
    storage: new Storage(config),
    bots: new BotStore(db),
    secrets: new SealedSecrets(secretsKey(config)),
  };
}

export async function closeCoreContext(ctx: CoreContext): Promise<void> {
  await Promise.allSettled([ctx.db.end(), ctx.redis.quit()]);
  ctx.storage.destroy();
}

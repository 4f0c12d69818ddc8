import IORedis, { Redis, RedisOptions } from 'ioredis';

/** Queue names: one per kind of work, so each can be scaled and watched alone. */
export const QUEUES = {
  exports: 'exports',
  imports: 'imports',
  maintenance: 'maintenance',
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

/**
 * A Redis connection for BullMQ. `maxRetriesPerRequest: null` is what BullMQ
 * workers require (blocking commands must wait out a reconnect); producers use
 * a bounded count so an API call fails fast when Redis is gone.
 */
export function createRedis(url: string, role: 'worker' | 'producer' = 'producer', extra: RedisOptions = {}): Redis {
  return new IORedis(url, {
    maxRetriesPerRequest: role === 'worker' ? null : 2,
    enableOfflineQueue: role === 'worker',
    ...extra,
  });
}

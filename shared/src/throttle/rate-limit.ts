import type { RedisConnection } from '../queue/queues';
import { ThrottledError } from '../errors';

/**
 * A fixed-window counter in Redis, shared by every api replica. Throws
 * ThrottledError carrying the seconds until the window ends.
 */
export async function takeFromWindow(redis: RedisConnection, key: string, limit: number, windowSeconds: number, what: string): Promise<void> {
  const [[, count], [, ttl]] = (await redis.multi().incr(key).pttl(key).exec()) as [[null, number], [null, number]];
  if (ttl < 0) await redis.pexpire(key, windowSeconds * 1000);
  if (count > limit) {
    const retryAfter = ttl > 0 ? ttl / 1000 : windowSeconds;
    throw new ThrottledError(`${what}: at most ${limit} per ${windowSeconds} s; retry in ${Math.ceil(retryAfter)} s`, retryAfter);
  }
}

/**
 * At most one call per `windowSeconds` for `key` (SET NX EX): Xenioo's hourly
 * backup throttle. Throws ThrottledError with the remaining seconds.
 */
export async function takeOncePer(redis: RedisConnection, key: string, windowSeconds: number, what: string): Promise<void> {
  const ok = await redis.set(key, '1', 'EX', windowSeconds, 'NX');
  if (ok) return;
  const ttl = await redis.ttl(key);
  const retryAfter = ttl > 0 ? ttl : windowSeconds;
  throw new ThrottledError(`${what}: one per ${windowSeconds} s; retry in ${retryAfter} s`, retryAfter);
}

/**
 * `takeOncePer`, then `work`; when the work fails the slot is given back, so
 * a refused restore does not cost its caller the hour.
 */
export async function onceInWindow<T>(redis: RedisConnection, key: string, windowSeconds: number, what: string, work: () => Promise<T>): Promise<T> {
  await takeOncePer(redis, key, windowSeconds, what);
  try {
    return await work();
  } catch (err) {
    await redis.del(key).catch(() => undefined);
    throw err;
  }
}

import { createHash } from 'node:crypto';
import { ConflictError, ValidationError } from '../errors';
import { canonicalJson } from '../paging/page-token';
import type { RedisConnection } from '../queue/queues';

const KEEP_SECONDS = 24 * 3600;
const PENDING = 'pending';

/**
 * `Idempotency-Key` on job creation: the same key with the same body gives
 * the same job; the same key with another body is a conflict. Keys live a
 * day in Redis, per tenant. A request still creating under a key makes a
 * second one with that key wait its turn (409, retry).
 */
export class IdempotencyKeys {
  constructor(
    private readonly redis: RedisConnection,
    private readonly prefix: string,
  ) {}

  /** Runs `create` once per (tenant, key, body); later calls get the job id it returned. */
  async once(tenantId: string, key: string | undefined, body: unknown, create: () => Promise<string>): Promise<{ jobId: string; replayed: boolean }> {
    if (key === undefined) return { jobId: await create(), replayed: false };
    if (!/^[\x21-\x7e]{1,255}$/.test(key)) throw new ValidationError('Idempotency-Key must be 1 to 255 visible ASCII characters');
    const slot = `${this.prefix}:idempotency:${tenantId}:${createHash('sha256').update(key).digest('hex')}`;
    const fingerprint = createHash('sha256').update(canonicalJson(body)).digest('hex');
    if (await this.redis.set(slot, `${PENDING}:${fingerprint}`, 'EX', KEEP_SECONDS, 'NX')) {
      try {
        const jobId = await create();
        await this.redis.set(slot, `${jobId}:${fingerprint}`, 'EX', KEEP_SECONDS);
        return { jobId, replayed: false };
      } catch (err) {
        await this.redis.del(slot); // nothing was created: the key may be used again
        throw err;
      }
    }
    const [jobId, seen] = String(await this.redis.get(slot)).split(':');
    if (seen !== fingerprint) throw new ConflictError('this Idempotency-Key was used with a different request body');
    if (jobId === PENDING) throw new ConflictError('a request with this Idempotency-Key is still being processed; retry shortly');
    return { jobId, replayed: true };
  }
}

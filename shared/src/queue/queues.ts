import { Queue } from 'bullmq';
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
 * workers require (blocking commands must wait out a reconnect); producers
 * queue commands while connecting but give up after two reconnection
 * attempts, so an API call fails (503) instead of hanging when Redis is gone.
 */
export function createRedis(url: string, role: 'worker' | 'producer' = 'producer', extra: RedisOptions = {}): Redis {
  return new IORedis(url, { maxRetriesPerRequest: role === 'worker' ? null : 2, ...extra });
}

export interface QueueSettings {
  REDIS_URL: string;
  QUEUE_PREFIX: string;
  JOB_ATTEMPTS: number;
  JOB_BACKOFF_MS: number;
}

/** Job names on the maintenance queue. */
export const MAINTENANCE_JOBS = { deleteExport: 'delete-export', deleteImport: 'delete-import', sweepExpired: 'sweep-expired' } as const;

/**
 * The producer side of every queue. Job ids are chosen here: an export's job
 * id is its export id (an import's, its import id), so adding it twice (api retry, reconciler) is a no-op.
 */
export class JobQueues {
  readonly exports: Queue;
  readonly imports: Queue;
  readonly maintenance: Queue;
  private readonly connection: Redis;

  constructor(settings: QueueSettings) {
    this.connection = createRedis(settings.REDIS_URL, 'producer');
    const defaultJobOptions = {
      attempts: settings.JOB_ATTEMPTS,
      backoff: { type: 'exponential', delay: settings.JOB_BACKOFF_MS },
      removeOnComplete: { age: 3600, count: 10000 },
      removeOnFail: { age: 7 * 24 * 3600 },
    };
    const opts = { connection: this.connection, prefix: settings.QUEUE_PREFIX, defaultJobOptions };
    this.exports = new Queue(QUEUES.exports, opts);
    this.imports = new Queue(QUEUES.imports, opts);
    this.maintenance = new Queue(QUEUES.maintenance, opts);
  }

  /** `again`: the export was built before (UpdateExport); its finished job goes first, or the add would be a no-op. */
  async enqueueExport(exportId: string, options: { again?: boolean } = {}): Promise<void> {
    if (options.again) await this.exports.remove(exportId);
    await this.exports.add('export', { exportId }, { jobId: exportId });
  }

  async enqueueExportDeletion(exportId: string): Promise<void> {
    await this.maintenance.add(MAINTENANCE_JOBS.deleteExport, { exportId }, { jobId: `delete-${exportId}` });
  }

  async enqueueImport(importId: string): Promise<void> {
    await this.imports.add('import', { importId }, { jobId: importId });
  }

  async enqueueImportDeletion(importId: string): Promise<void> {
    await this.maintenance.add(MAINTENANCE_JOBS.deleteImport, { importId }, { jobId: `delete-import-${importId}` });
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.exports.close(), this.imports.close(), this.maintenance.close()]);
    this.connection.disconnect();
  }
}

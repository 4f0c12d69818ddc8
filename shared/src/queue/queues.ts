import { type Job, Queue } from 'bullmq';
import IORedis, { Cluster, type Redis, type RedisOptions } from 'ioredis';

/** Queue names: one per kind of work, so each can be scaled and watched alone. */
export const QUEUES = {
  exports: 'exports',
  imports: 'imports',
  maintenance: 'maintenance',
  backups: 'backups',
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

/** One Redis server, or a Redis Cluster (REDIS_CLUSTER=true, REDIS_URL naming any node). */
export type RedisConnection = Redis | Cluster;

export interface RedisSettings {
  REDIS_URL: string;
  REDIS_CLUSTER: boolean;
}

/**
 * A Redis connection for BullMQ. `maxRetriesPerRequest: null` is what BullMQ
 * workers require (blocking commands must wait out a reconnect); producers
 * queue commands while connecting but give up after two reconnection
 * attempts, so an API call fails (503) instead of hanging when Redis is gone.
 * On a cluster the queue prefix carries a hash tag (checked by the config),
 * so each queue's keys share a slot as BullMQ's scripts need.
 */
export function createRedis(settings: RedisSettings, role: 'worker' | 'producer' = 'producer'): RedisConnection {
  const options: RedisOptions = { maxRetriesPerRequest: role === 'worker' ? null : 2 };
  if (!settings.REDIS_CLUSTER) return new IORedis(settings.REDIS_URL, options);
  const url = new URL(settings.REDIS_URL);
  return new Cluster([{ host: url.hostname, port: Number(url.port || 6379) }], { redisOptions: { ...options, password: url.password || undefined } });
}

export interface QueueSettings extends RedisSettings {
  QUEUE_PREFIX: string;
  JOB_ATTEMPTS: number;
  JOB_BACKOFF_MS: number;
}

/** Queue states in which a job will still run by itself; any other (completed, failed, unknown, or no entry) will not. */
const STATES_THAT_RUN = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);
export const runsByItself = (state: string): boolean => STATES_THAT_RUN.has(state);

/** How many jobs of a queue are in each state. */
export interface QueueCounts {
  queue: string;
  waiting: number;
  active: number;
  failed: number;
  delayed: number;
  completed: number;
}

/** Job names on the backups queue: a schedule's slot (one per slot, from the policy's job scheduler), or a run started by hand. */
export const BACKUP_JOBS = { slot: 'backup-slot', run: 'backup-run' } as const;

/** Job names on the maintenance queue. */
export const MAINTENANCE_JOBS = { deleteExport: 'delete-export', deleteImport: 'delete-import', sweepExpired: 'sweep-expired', notify: 'notify' } as const;

/**
 * Queue job ids, made here only: an export's or import's job id is its own
 * id, a deletion's is derived from it, so adding either twice is a no-op.
 */
const JOB_IDS = {
  deletion: (kind: 'export' | 'import', id: string) => (kind === 'export' ? `delete-${id}` : `delete-import-${id}`),
  notification: (kind: 'export' | 'import' | 'backup', id: string, status: string) => `notify-${kind}-${id}-${status}`,
  sweepNow: () => `sweep-now-${Date.now()}`,
};

/**
 * The producer side of every queue. Job ids are chosen here: an export's job
 * id is its export id (an import's, its import id), so adding it twice (api retry, reconciler) is a no-op.
 */
export class JobQueues {
  readonly exports: Queue;
  readonly imports: Queue;
  readonly maintenance: Queue;
  readonly backups: Queue;
  private readonly connection: RedisConnection;

  constructor(settings: QueueSettings) {
    this.connection = createRedis(settings, 'producer');
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
    this.backups = new Queue(QUEUES.backups, opts);
  }

  /**
   * A backup policy's schedule as a BullMQ job scheduler named after the
   * policy: declaring it again (policy saved, reconciler) replaces it, and
   * each slot's job id (`repeat:{scheduler}:{slot}`) is BullMQ's, so however
   * many producers declare it, a slot has one job.
   */
  async scheduleBackups(schedulerId: string, policyId: string, pattern: string, tz: string): Promise<void> {
    await this.backups.upsertJobScheduler(schedulerId, { pattern, tz }, { name: BACKUP_JOBS.slot, data: { policyId } });
  }

  async unscheduleBackups(schedulerId: string): Promise<void> {
    await this.backups.removeJobScheduler(schedulerId);
  }

  async enqueueBackupRun(runId: string): Promise<void> {
    await this.backups.add(BACKUP_JOBS.run, { runId }, { jobId: `backup-run-${runId}` });
  }

  /** `again`: the export was built before (UpdateExport); its finished job goes first, or the add would be a no-op. */
  async enqueueExport(exportId: string, options: { again?: boolean } = {}): Promise<void> {
    if (options.again) await this.exports.remove(exportId);
    await this.exports.add('export', { exportId }, { jobId: exportId });
  }

  async enqueueExportDeletion(exportId: string): Promise<void> {
    await this.maintenance.add(MAINTENANCE_JOBS.deleteExport, { exportId }, { jobId: JOB_IDS.deletion('export', exportId) });
  }

  async enqueueImport(importId: string, options: { again?: boolean } = {}): Promise<void> {
    if (options.again) await this.imports.remove(importId);
    await this.imports.add('import', { importId }, { jobId: importId });
  }

  async enqueueImportDeletion(importId: string): Promise<void> {
    await this.maintenance.add(MAINTENANCE_JOBS.deleteImport, { importId }, { jobId: JOB_IDS.deletion('import', importId) });
  }

  /**
   * Tells a job's notifyUrl that it ended. One queue entry per job and
   * outcome, so a run that settles twice still notifies once; its id is the
   * delivery id the receiver sees on every retry.
   */
  async enqueueNotification(kind: 'export' | 'import' | 'backup', id: string, status: 'Completed' | 'Failed'): Promise<void> {
    await this.maintenance.add(MAINTENANCE_JOBS.notify, { kind, id }, { jobId: JOB_IDS.notification(kind, id, status) });
  }

  /** Runs the sweeper now, beside its schedule. */
  async sweepNow(): Promise<void> {
    await this.maintenance.add(MAINTENANCE_JOBS.sweepExpired, {}, { jobId: JOB_IDS.sweepNow() });
  }

  /** The queue entry of a job, or of its deletion; undefined when there is none. */
  entryOf(kind: 'export' | 'import', id: string, deleting = false): Promise<Job | undefined> {
    if (deleting) return this.maintenance.getJob(JOB_IDS.deletion(kind, id));
    return (kind === 'export' ? this.exports : this.imports).getJob(id);
  }

  /** Where a job's queue entry stands: BullMQ's state (waiting, active, delayed, failed…), or 'missing'. */
  async stateOf(kind: 'export' | 'import', id: string): Promise<string> {
    const job = await this.entryOf(kind, id);
    return job ? await job.getState() : 'missing';
  }

  /** Waiting, active, failed, delayed and completed counts of every queue, every tenant's jobs together (the operator's view). */
  async counts(): Promise<QueueCounts[]> {
    return Promise.all(
      [this.exports, this.imports, this.maintenance, this.backups].map(async (q) => {
        const c = await q.getJobCounts('waiting', 'active', 'failed', 'delayed', 'completed', 'prioritized');
        return { queue: q.name, waiting: c.waiting + c.prioritized, active: c.active, failed: c.failed, delayed: c.delayed, completed: c.completed };
      }),
    );
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.exports.close(), this.imports.close(), this.maintenance.close(), this.backups.close()]);
    this.connection.disconnect();
  }
}

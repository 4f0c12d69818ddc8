import type { Pool } from 'pg';
import { assertBotAllowed, type Principal } from '../auth/tokens';
import type { BotStore } from '../bots/bot-store';
import { ConflictError, NotFoundError, ValidationError } from '../errors';
import type { ExportOptions, FileFormat } from '../exports/export-record';
import { checkExportOptions } from '../exports/selection';
import { FORMATS } from '../formats';
import { newId } from '../ids';
import type { ImportRecord } from '../imports/import-record';
import type { ImportService } from '../imports/import-service';
import { checkNotifyUrl, type NotifySettings } from '../notifications/notifications';
import type { JobQueues } from '../queue/queues';
import type { SealedSecrets } from '../secrets/sealed-secrets';
import { UNIQUE_VIOLATION } from '../store/db';
import type { Storage } from '../storage/s3';
import type { ArchiveResolver } from '../diffs/bot-diff';
import { type BackupPolicy, BackupPolicies, type BackupSeries, type PolicyFields, type S3Destination } from './backup-policy';
import { type BackupArchive, type BackupRun, BackupRuns } from './backup-runs';
import { backupPrefix, type DestinationSettings, Destinations } from './destinations';
import type { Page } from './listing';
import { checkSchedule, schedulerId } from './schedules';

/** A destination as a caller gives it: the tenant's bucket comes with its secret key, which is sealed at once. */
export type DestinationInput =
  { type: 'botport' } | (Omit<S3Destination, 'prefix' | 'region' | 'forcePathStyle'> & Partial<S3Destination> & { secretAccessKey?: string });

export interface PolicyInput {
  name: string;
  botId?: string | null;
  schedule: string;
  timezone?: string;
  versions: BackupSeries[];
  fileFormat: FileFormat;
  options?: ExportOptions;
  retention?: { keepLast?: number | null; keepDays?: number | null };
  /** A string sets it, null removes it, undefined (on update) keeps it. */
  filePassword?: string | null;
  destination: DestinationInput;
  notifyUrl?: string | null;
  enabled?: boolean;
}

export interface BackupSettings extends DestinationSettings, NotifySettings {
  BACKUP_MIN_INTERVAL_SECONDS: number;
}

/** Prefixes end in `/` (or are empty), never start with one: keys are relative to the bucket. */
function normalPrefix(prefix: string | undefined): string {
  const p = (prefix ?? '').replace(/^\/+/, '');
  return p && !p.endsWith('/') ? `${p}/` : p;
}

/**
 * The one place that decides about backup policies, their runs and
 * restores. Surfaces translate to these calls and back.
 */
export class BackupService {
  readonly policies: BackupPolicies;
  readonly runs: BackupRuns;
  readonly destinations: Destinations;

  constructor(
    private readonly deps: {
      db: Pool;
      bots: BotStore;
      queues: JobQueues;
      storage: Storage;
      secrets: SealedSecrets;
      imports: ImportService;
      settings: BackupSettings;
    },
  ) {
    this.policies = new BackupPolicies(deps.db);
    this.runs = new BackupRuns(deps.db);
    this.destinations = new Destinations(deps);
  }

  async create(principal: Principal, input: PolicyInput): Promise<BackupPolicy> {
    const fields = await this.checked(principal, input, undefined);
    let policy: BackupPolicy;
    try {
      policy = await this.policies.insert(fields);
    } catch (err) {
      if ((err as { code?: string }).code === UNIQUE_VIOLATION) throw new ConflictError(`a backup policy named '${input.name}' already exists`);
      throw err;
    }
    await this.schedule(policy);
    return policy;
  }

  /** Replaces a policy's settings; a password or a bucket key left out stays as it was. */
  async update(principal: Principal, policyId: string, input: PolicyInput): Promise<BackupPolicy> {
    const current = await this.get(principal, policyId);
    const fields = await this.checked(principal, input, current);
    let policy: BackupPolicy | undefined;
    try {
      policy = await this.policies.update(fields);
    } catch (err) {
      if ((err as { code?: string }).code === UNIQUE_VIOLATION) throw new ConflictError(`a backup policy named '${input.name}' already exists`);
      throw err;
    }
    if (!policy) throw new NotFoundError(`backup policy ${policyId} was not found`);
    await this.schedule(policy);
    return policy;
  }

  async get(principal: Principal, policyId: string): Promise<BackupPolicy> {
    const policy = await this.policies.get(principal.tenantId, policyId);
    // A bot token sees its bot's policies only.
    if (!policy || (principal.botId && policy.botId !== principal.botId)) throw new NotFoundError(`backup policy ${policyId} was not found`);
    return policy;
  }

  list(principal: Principal, filter: { botId?: string; limit: number; cursor?: string }): Promise<Page<BackupPolicy>> {
    if (principal.botId) return this.policies.list(principal.tenantId, { ...filter, botId: principal.botId });
    return this.policies.list(principal.tenantId, { ...filter, withTenantWide: !!filter.botId });
  }

  /** The schedule goes, the policy's records go; archives in botport's bucket go too, those in the tenant's own bucket stay theirs. */
  async delete(principal: Principal, policyId: string): Promise<void> {
    const policy = await this.get(principal, policyId);
    await this.deps.queues.unscheduleBackups(schedulerId(policyId));
    if (policy.destination.type === 'botport') await this.deps.storage.deletePrefix(backupPrefix(policy.tenantId, policyId));
    await this.policies.remove(principal.tenantId, policyId);
  }

  /** `POST …/runs`: a run now, besides the schedule. */
  async startRun(principal: Principal, policyId: string): Promise<BackupRun> {
    const policy = await this.get(principal, policyId);
    const run = await this.runs.insertManual(policy.tenantId, policyId, newId());
    // Should Redis fail here, the run stays InProgress and the reconciler enqueues it.
    await this.deps.queues.enqueueBackupRun(run.runId).catch(() => undefined);
    return run;
  }

  async listRuns(principal: Principal, policyId: string, page: { limit: number; cursor?: string }): Promise<Page<BackupRun>> {
    await this.get(principal, policyId);
    return this.runs.list(principal.tenantId, policyId, page.limit, page.cursor);
  }

  async getRun(principal: Principal, policyId: string, runId: string): Promise<BackupRun> {
    await this.get(principal, policyId);
    const run = await this.runs.get(principal.tenantId, policyId, runId);
    if (!run) throw new NotFoundError(`backup run ${runId} was not found`);
    return run;
  }

  async listArchives(principal: Principal, policyId: string, filter: { botId?: string; limit: number }): Promise<BackupArchive[]> {
    await this.get(principal, policyId);
    return this.runs.archives(principal.tenantId, policyId, filter);
  }

  async getArchive(principal: Principal, policyId: string, archiveId: string): Promise<{ policy: BackupPolicy; archive: BackupArchive }> {
    const policy = await this.get(principal, policyId);
    const archive = await this.runs.getArchive(principal.tenantId, policyId, archiveId);
    if (!archive || (principal.botId && archive.botId !== principal.botId)) throw new NotFoundError(`backup ${archiveId} was not found`);
    return { policy, archive };
  }

  /** A pre-signed download of a backup in botport's own bucket (a tenant's bucket is the tenant's to read). */
  async downloadUrl(principal: Principal, policyId: string, archiveId: string): Promise<string | undefined> {
    const { policy, archive } = await this.getArchive(principal, policyId, archiveId);
    if (policy.destination.type !== 'botport') return undefined;
    return this.deps.storage.presignDownload(archive.objectKey, `${archive.botName}-${archive.series}-v${archive.botVersion}-${archive.archiveId}.zip`);
  }

  /**
   * Restore in one call: the backup becomes the bot's DRAFT exactly (an
   * import with Replace, so it has a plan, a record and an undo like any
   * other). The archive is copied, streamed, into an upload first: an
   * import's upload is swept with it, a backup must not be.
   */
  async restore(principal: Principal, policyId: string, archiveId: string, options: { dryRun?: boolean } = {}): Promise<ImportRecord> {
    const { policy, archive } = await this.getArchive(principal, policyId, archiveId);
    await this.deps.bots.get(principal.tenantId, archive.botId); // the bot must still be there to take its DRAFT back
    const destination = this.destinations.open(policy);
    try {
      const body = await destination.storage.download(archive.objectKey).catch((err: { name?: string }) => {
        if (err.name === 'NoSuchKey') throw new ConflictError(`backup ${archiveId} is no longer in its bucket (removed there?)`);
        throw err;
      });
      const { uploadId } = await this.deps.imports.receiveUpload(principal, body);
      return await this.deps.imports.start(principal, 'native', {
        uploadId,
        target: { kind: 'bot', botId: archive.botId },
        mergeStrategy: 'Replace',
        filePassword: policy.sealedPassword ? this.deps.secrets.unseal(policy.sealedPassword) : undefined,
        dryRun: options.dryRun,
      });
    } finally {
      destination.close();
    }
  }

  /** Declares (or, when disabled, removes) the policy's job scheduler. */
  async schedule(policy: BackupPolicy): Promise<void> {
    if (policy.enabled) await this.deps.queues.scheduleBackups(schedulerId(policy.policyId), policy.policyId, policy.schedule, policy.timezone);
    else await this.deps.queues.unscheduleBackups(schedulerId(policy.policyId));
  }

  /** Checks every field a caller gave and seals what is secret; `current` is the policy being updated. */
  private async checked(principal: Principal, input: PolicyInput, current: BackupPolicy | undefined): Promise<PolicyFields> {
    const { settings, secrets, bots } = this.deps;
    const botId = input.botId ?? null;
    if (botId) {
      assertBotAllowed(principal, botId);
      await bots.get(principal.tenantId, botId);
    } else if (principal.botId) throw new ValidationError('a bot token can back up only its own bot: give its botId');
    if (!FORMATS[input.fileFormat]) throw new ValidationError(`fileFormat ${input.fileFormat} is not available`);
    if (!input.versions.length) throw new ValidationError('versions must name DRAFT, published or both');
    checkExportOptions(input.options ?? {});
    const timezone = input.timezone ?? 'UTC';
    checkSchedule(input.schedule, timezone, settings.BACKUP_MIN_INTERVAL_SECONDS);
    checkNotifyUrl(input.notifyUrl ?? undefined, settings);
    const { keepLast = null, keepDays = null } = input.retention ?? {};

    let destination: PolicyFields['destination'] = { type: 'botport' };
    let sealedSecretKey: string | null = null;
    if (input.destination.type === 's3') {
      const { secretAccessKey: given, ...rest } = input.destination;
      const kept = current?.destination.type === 's3' && current.destination.accessKeyId === rest.accessKeyId ? current.sealedSecretKey : null;
      if (!given && !kept) throw new ValidationError('destination.secretAccessKey is required for an s3 destination');
      const secretAccessKey = given ?? secrets.unseal(kept as string);
      const d: S3Destination = {
        ...rest,
        type: 's3',
        prefix: normalPrefix(rest.prefix),
        region: rest.region ?? 'us-east-1',
        forcePathStyle: rest.forcePathStyle ?? true,
      };
      await this.destinations.check(d, secretAccessKey); // a wrong key or bucket is refused now, not at the first run
      destination = d;
      sealedSecretKey = secrets.seal(secretAccessKey);
    }
    const password =
      input.filePassword === undefined ? (current?.sealedPassword ?? null) : input.filePassword === null ? null : secrets.seal(input.filePassword);
    return {
      policyId: current?.policyId ?? newId(),
      tenantId: principal.tenantId,
      name: input.name,
      botId,
      schedule: input.schedule,
      timezone,
      versions: [...new Set(input.versions)],
      fileFormat: input.fileFormat,
      options: input.options ?? {},
      keepLast,
      keepDays,
      hasPassword: password !== null,
      sealedPassword: password,
      destination,
      sealedSecretKey,
      notifyUrl: input.notifyUrl ?? null,
      enabled: input.enabled ?? true,
    };
  }
}

/** `backup:ID` as a diff side: one of the bot's kept backups, read from wherever its policy wrote it. */
export function backupArchives(backups: BackupService): Record<string, ArchiveResolver> {
  return {
    backup: async (tenantId, botId, id) => {
      const archive = await backups.runs.findArchive(tenantId, id);
      const policy = archive && (await backups.policies.get(tenantId, archive.policyId));
      if (!archive || !policy || archive.botId !== botId) throw new NotFoundError(`bot ${botId} has no backup ${id}`);
      if (policy.hasPassword) throw new ValidationError(`backup ${id} is password-protected; compare it after restoring it`);
      return {
        what: `backup ${id}`,
        open: async () => {
          const destination = backups.destinations.open(policy);
          const body = await destination.storage.download(archive.objectKey);
          return body.once('close', () => destination.close());
        },
      };
    },
  };
}

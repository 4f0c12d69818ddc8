import { isIP } from 'node:net';
import { Readable } from 'node:stream';
import { ValidationError } from '../errors';
import { addressRefusal } from '../notifications/addresses';
import { guardedLookup, type LookupSettings } from '../notifications/guarded-lookup';
import type { SealedSecrets } from '../secrets/sealed-secrets';
import { Storage, type StorageSettings } from '../storage/s3';
import type { BackupPolicy, BackupSeries, S3Destination } from './backup-policy';

export interface DestinationSettings extends StorageSettings, LookupSettings {
  BACKUP_ALLOW_PRIVATE_ENDPOINTS: boolean;
}

/** An open destination: where archives go, and whether it is the tenant's (then closed after use). */
export interface OpenDestination {
  storage: Storage;
  foreign: boolean;
  close(): void;
}

/**
 * Where backups are written: botport's own bucket (under `backups/`), or a
 * bucket of the tenant's, reached with the tenant's key (the secret sealed
 * under SECRETS_KEY, like archive passwords) through a lookup that refuses
 * private addresses, as notifyUrl calls do.
 */
export class Destinations {
  constructor(
    private readonly deps: {
      storage: Storage;
      secrets: SealedSecrets;
      settings: DestinationSettings;
    },
  ) {}

  open(policy: Pick<BackupPolicy, 'destination' | 'sealedSecretKey'>): OpenDestination {
    const d = policy.destination;
    if (d.type === 'botport') return { storage: this.deps.storage, foreign: false, close: () => undefined };
    const storage = this.foreign(d, this.deps.secrets.unseal(policy.sealedSecretKey ?? ''));
    return { storage, foreign: true, close: () => storage.destroy() };
  }

  private foreign(d: S3Destination, secretAccessKey: string): Storage {
    const lookup = guardedLookup({ ...this.deps.settings, NOTIFY_ALLOW_PRIVATE: this.deps.settings.BACKUP_ALLOW_PRIVATE_ENDPOINTS });
    return new Storage(
      { S3_ENDPOINT: d.endpoint, S3_BUCKET: d.bucket, S3_REGION: d.region, S3_FORCE_PATH_STYLE: d.forcePathStyle, S3_CHECKSUM_MODE: 'WHEN_REQUIRED' },
      { credentials: { accessKeyId: d.accessKeyId, secretAccessKey }, lookup },
    );
  }

  /** Where one archive goes. botport's bucket keys by tenant and policy; the tenant's bucket gets readable names under its prefix. */
  keyOf(
    policy: Pick<BackupPolicy, 'tenantId' | 'policyId' | 'destination'>,
    a: { botId: string; series: BackupSeries; botVersion: string; archiveId: string },
  ): string {
    const stamp = new Date().toISOString().replace(/[-:]|\.\d+/g, '');
    const file = `${a.botId}/${a.series}/${stamp}-v${a.botVersion}-${a.archiveId}.zip`;
    if (policy.destination.type === 'botport') return `${backupPrefix(policy.tenantId, policy.policyId)}${file}`;
    return `${policy.destination.prefix}${file}`;
  }

  /**
   * Checks a tenant's bucket before a policy is saved: the endpoint is one
   * botport may call, and a test object can be written and deleted with the
   * key given. What the bucket answers otherwise (no such bucket, a key it
   * does not know, a signature it refuses, access denied) is the refusal.
   */
  async check(d: S3Destination, secretAccessKey: string): Promise<void> {
    this.checkEndpoint(d.endpoint);
    const storage = this.foreign(d, secretAccessKey);
    const key = `${d.prefix}.botport-write-check`;
    try {
      await storage.uploadStream(key, Readable.from([Buffer.from('botport checks that it may write here; this object is deleted at once\n')]), 'text/plain');
      await storage.delete(key);
    } catch (err) {
      if (err instanceof ValidationError) throw err;
      const e = err as { name?: string; message?: string; Code?: string; code?: string; $metadata?: { httpStatusCode?: number } };
      const what = e.Code ?? e.name ?? e.code ?? 'Error';
      const status = e.$metadata?.httpStatusCode ? ` (HTTP ${e.$metadata.httpStatusCode})` : '';
      throw new ValidationError(`bucket '${d.bucket}' at ${d.endpoint} refused a test write: ${what}${status}: ${e.message ?? ''}`.trim());
    } finally {
      storage.destroy();
    }
  }

  private checkEndpoint(endpoint: string): void {
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      throw new ValidationError(`destination.endpoint '${endpoint.slice(0, 100)}' is not a URL`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ValidationError('destination.endpoint must be an http or https URL');
    if (url.username || url.password) throw new ValidationError('destination.endpoint must not carry credentials; give accessKeyId and secretAccessKey');
    if (this.deps.settings.BACKUP_ALLOW_PRIVATE_ENDPOINTS) return;
    const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
    const refusal = isIP(host) ? addressRefusal(host) : host === 'localhost' || host.endsWith('.localhost') ? 'loopback' : undefined;
    if (refusal) throw new ValidationError(`destination.endpoint points at ${url.hostname} (${refusal}), which botport may not call`);
  }
}

/** Every object a policy wrote to botport's own bucket lives under this prefix. */
export function backupPrefix(tenantId: string, policyId: string): string {
  return `backups/${encodeURIComponent(tenantId)}/${policyId}/`;
}

import { isIP } from 'node:net';
import { z } from 'zod';
import { DEV_JWT_SECRET } from '../auth/tokens';

const bool = z.enum(['true', 'false', '1', '0', '']).transform((v) => v === 'true' || v === '1');

const list = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);

/** What c-ares' setServers takes: an IP address, optionally with a port (IPv6 then in brackets). */
function isDnsServer(value: string): boolean {
  const [, bracketed, plain, port] = /^(?:\[([^\]]+)\]|([^:]+))(?::(\d{1,5}))?$/.exec(value) ?? [];
  if (port !== undefined && Number(port) > 65535) return false;
  return bracketed ? isIP(bracketed) === 6 : plain ? isIP(plain) === 4 : isIP(value) === 6;
}

const schema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    PORT: z.coerce.number().int().min(0).max(65535).default(7070),
    PUBLIC_BASE_URL: z.string().url().optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    DATABASE_URL: z.string().url().default('postgres://postgres@127.0.0.1:5432/botport'),
    REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
    /** REDIS_URL names one node of a Redis Cluster; QUEUE_PREFIX must then hold a hash tag such as {botport}. */
    REDIS_CLUSTER: bool.default(false),
    QUEUE_PREFIX: z.string().min(1).default('botport'),
    S3_ENDPOINT: z.string().default(''),
    S3_BUCKET: z.string().min(3).default('botport'),
    S3_REGION: z.string().min(1).default('us-east-1'),
    S3_FORCE_PATH_STYLE: bool.default(false),
    /** `WHEN_REQUIRED` for servers (s3rver) that store aws-chunked framing verbatim. */
    S3_CHECKSUM_MODE: z.enum(['WHEN_SUPPORTED', 'WHEN_REQUIRED']).default('WHEN_SUPPORTED'),
    AWS_ACCESS_KEY_ID: z.string().optional(),
    AWS_SECRET_ACCESS_KEY: z.string().optional(),
    JWT_SECRET: z.string().min(16).optional(),
    JWT_PUBLIC_KEY: z.string().optional(),
    /** Key rotation: the outgoing secret or public key, accepted (never used to sign) until its tokens expire. */
    JWT_PREVIOUS_SECRET: z.string().min(16).optional(),
    JWT_PREVIOUS_PUBLIC_KEY: z.string().optional(),
    JWT_ALGORITHMS: list
      .pipe(z.array(z.enum(['HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'PS256'])).min(1))
      .default(['HS256']),
    JWT_ISSUER: z.string().optional(),
    JWT_AUDIENCE: z.string().optional(),
    /** Key for signing page tokens and sealing secrets in job data; derived from JWT_SECRET when unset. */
    SECRETS_KEY: z.string().min(32).optional(),
    BODY_LIMIT: z.string().default('10mb'),
    EXPORT_MAX_UNFINISHED_PER_TENANT: z.coerce.number().int().min(1).default(20),
    EXPORT_CREATE_PER_MINUTE: z.coerce.number().int().min(1).default(120),
    EXPORT_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(2),
    JOB_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(5),
    JOB_BACKOFF_MS: z.coerce.number().int().min(10).default(2000),
    /** How long a worker's lock on a job lasts without renewal; a killed worker's job is retaken after it. */
    JOB_LOCK_MS: z.coerce.number().int().min(1000).default(30000),
    /** How long EDDI's export call waits for the archive before answering 202. */
    EDDI_EXPORT_WAIT_MS: z.coerce.number().int().min(0).default(10000),
    /** How long EDDI's import call waits for the new bot before answering 202. */
    EDDI_IMPORT_WAIT_MS: z.coerce.number().int().min(0).default(10000),
    IMPORT_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(2),
    // Archive limits, checked before anything in an uploaded archive is parsed.
    IMPORT_MAX_ARCHIVE_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .default(512 * 1024 * 1024),
    IMPORT_MAX_UNCOMPRESSED_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .default(2 * 1024 * 1024 * 1024),
    IMPORT_MAX_ENTRIES: z.coerce.number().int().min(1).default(50000),
    /** One entry is parsed in memory, so this bounds a worker's memory per import. */
    IMPORT_MAX_ENTRY_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .default(32 * 1024 * 1024),
    /** Uncompressed ÷ compressed size of any entry; far above what JSON reaches (real exports: under 40), far below a zip bomb. */
    IMPORT_MAX_COMPRESSION_RATIO: z.coerce.number().min(2).default(200),
    /**
     * Uncompressed archive bytes one import holds at once (entries read ahead,
     * the entry being parsed, the files of the component being assembled); an
     * entry or a component larger than this is refused, naming it. A worker
     * holds at most IMPORT_CONCURRENCY times this.
     */
    IMPORT_MEMORY_BUDGET_BYTES: z.coerce
      .number()
      .int()
      .min(1024 * 1024)
      .default(64 * 1024 * 1024),
    RECONCILE_INTERVAL_MS: z.coerce.number().int().min(100).default(30000),
    /** How often the sweeper removes jobs past their seven days (one schedule for all workers). */
    SWEEP_INTERVAL_MS: z.coerce
      .number()
      .int()
      .min(1000)
      .default(15 * 60 * 1000),
    SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(8000),
    /** Signs notifyUrl calls (HMAC-SHA256); notifyUrl is refused while unset. */
    NOTIFY_SIGNING_SECRET: z.string().min(32).optional(),
    /** Lets notifyUrl reach loopback and private networks: for a local stack, never in production. */
    NOTIFY_ALLOW_PRIVATE: bool.default(false),
    NOTIFY_TIMEOUT_MS: z.coerce.number().int().min(100).default(10000),
    /** The DNS server (ip or ip:port) the worker asks for notifyUrl hosts instead of the system resolver, e.g. a filtering one. */
    NOTIFY_DNS_SERVER: z.string().refine(isDnsServer, 'must be an IP address with an optional port: 10.0.0.53, 10.0.0.53:5353, [fd00::53]:53').optional(),
    /** Backup schedules firing more often than this are refused (tests use 1 s; a minute is the least cron expresses without seconds). */
    BACKUP_MIN_INTERVAL_SECONDS: z.coerce.number().int().min(1).default(60),
    /** Backup runs one worker works on at once. */
    BACKUP_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(1),
    /** Lets a tenant's backup bucket endpoint be on loopback or a private network: for a local stack, never in production. */
    BACKUP_ALLOW_PRIVATE_ENDPOINTS: bool.default(false),
    /** When set, GET /metrics needs `Authorization: Bearer <METRICS_TOKEN>`. */
    METRICS_TOKEN: z.string().min(16).optional(),
    /** The worker serves its own /metrics on this port when set. */
    METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  })
  .superRefine((c, ctx) => {
    const hmac = c.JWT_ALGORITHMS.some((a) => a.startsWith('HS'));
    const asym = c.JWT_ALGORITHMS.some((a) => !a.startsWith('HS'));
    if (hmac && !c.JWT_SECRET) ctx.addIssue({ code: 'custom', path: ['JWT_SECRET'], message: 'required when JWT_ALGORITHMS has an HS algorithm' });
    if (asym && !c.JWT_PUBLIC_KEY)
      ctx.addIssue({ code: 'custom', path: ['JWT_PUBLIC_KEY'], message: 'required when JWT_ALGORITHMS has an RS/ES/PS algorithm' });
    if (!c.SECRETS_KEY && !c.JWT_SECRET) ctx.addIssue({ code: 'custom', path: ['SECRETS_KEY'], message: 'required when JWT_SECRET is not set' });
    if (c.REDIS_CLUSTER && !/\{[^}]+\}/.test(c.QUEUE_PREFIX)) {
      ctx.addIssue({
        code: 'custom',
        path: ['QUEUE_PREFIX'],
        message: 'needs a hash tag such as {botport} when REDIS_CLUSTER=true, so each queue stays in one slot',
      });
    }
    if (c.NODE_ENV === 'production' && c.JWT_SECRET === DEV_JWT_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['JWT_SECRET'], message: 'the development secret cannot be used when NODE_ENV=production' });
    }
  });

export type Config = z.infer<typeof schema>;

export class ConfigError extends Error {}

/** The server's own key (page tokens, sealed secrets, dashboard sessions): SECRETS_KEY, else derived from JWT_SECRET. */
export const secretsKey = (c: Pick<Config, 'SECRETS_KEY' | 'JWT_SECRET'>): string => c.SECRETS_KEY ?? (c.JWT_SECRET as string);

/** Reads and validates the environment once; every problem names its variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const input = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  if (env.S3_ENDPOINT !== undefined) input.S3_ENDPOINT = env.S3_ENDPOINT;
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(env)'}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

/** Loads the configuration or ends the process with a message naming each bad variable. */
export function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(78); // EX_CONFIG
  }
}

/**
 * How every launcher starts the worker (infra/k8s/worker.yaml and
 * infra/docker-compose.yml spell it out too): a 4 MB semi-space, so the
 * buffers an export passes through are collected before they pile up
 * (about 90 MB less peak RSS on a 170 MB bot, no slower; npm run bench).
 */
export const WORKER_NODE_ARGS = ['--max-semi-space-size=4'];

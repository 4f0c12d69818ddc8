import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { loadConfig, mintToken, SCOPES } from '@botport/shared';
import type { WorkerContext } from '@botport/worker';
import { checkResponse } from './contract';
import { createContext, closeContext, createServer, type ApiContext } from '@botport/api';

// Each test file gets its own queue prefix (under the run's), so one file's
// workers never take another file's jobs. Spawned processes inherit it.
process.env.BOTPORT_QUEUE_BASE ??= process.env.QUEUE_PREFIX;
process.env.QUEUE_PREFIX = `${process.env.BOTPORT_QUEUE_BASE}-${randomBytes(3).toString('hex')}`;

/** A real api on an ephemeral port, against the run's Postgres, Redis and S3. */
export interface TestApi {
  ctx: ApiContext;
  url: string;
  close(): Promise<void>;
}

export async function startApi(env: Record<string, string> = {}): Promise<TestApi> {
  const config = loadConfig({ ...process.env, ...env });
  const ctx = createContext(config);
  const server: Server = await new Promise((resolve) => {
    const s = createServer(ctx).listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    ctx,
    url: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await closeContext(ctx);
    },
  };
}

/** A tenant of its own for each test file, so files running in parallel never meet. */
export function newTenant(): string {
  return `t-${randomBytes(5).toString('hex')}`;
}

export function token(tenant: string, options: { scopes?: readonly string[]; bot?: string; sub?: string; expiresInSeconds?: number } = {}): string {
  return mintToken(
    process.env.JWT_SECRET as string,
    { sub: options.sub ?? 'tester', tenant, scope: (options.scopes ?? SCOPES).join(' '), bot: options.bot },
    { expiresInSeconds: options.expiresInSeconds },
  );
}

/** fetch with a bearer token and JSON body; returns status, headers and parsed body. */
export async function call(
  api: { url: string },
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Headers; body: any; text: string }> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] ??= 'application/json';
  const res = await fetch(api.url + path, {
    method,
    headers,
    body: options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
  });
  const text = await res.text();
  // Every answer a test sees is held to the OpenAPI document.
  checkResponse(method, path, res.status, res.headers.get('content-type'), text);
  let body: unknown = undefined;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: res.status, headers: res.headers, body, text };
}

/** A real worker (BullMQ workers + reconciler optional) in this process. */
export interface TestWorker {
  ctx: WorkerContext;
  /** Stops taking jobs (running ones finish) until resume(). */
  pause(): Promise<void>;
  resume(): void;
  close(): Promise<void>;
}

export async function startWorker(env: Record<string, string> = {}): Promise<TestWorker> {
  const { createContext, closeContext, startWorkers } = await import('@botport/worker');
  const ctx = createContext(loadConfig({ ...process.env, ...env }));
  const running = await startWorkers(ctx);
  return {
    ctx,
    async pause() {
      await Promise.all(running.workers.map((w) => w.pause()));
    },
    resume() {
      running.workers.forEach((w) => w.resume());
    },
    async close() {
      await running.close(1000);
      await closeContext(ctx);
    },
  };
}

/** Polls a Lex Describe operation until the job leaves InProgress. */
async function waitForJob(api: { url: string }, bearer: string, path: string, statusField: string, timeoutMs: number): Promise<any> {
  const start = Date.now();
  for (;;) {
    const res = await call(api, 'GET', path, { token: bearer });
    if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}: ${res.text}`);
    if (res.body[statusField] !== 'InProgress') return res.body;
    if (Date.now() - start > timeoutMs) throw new Error(`${path} still InProgress after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Polls until the export leaves InProgress (DescribeExport through the Lex surface). */
export function waitForExport(api: { url: string }, bearer: string, exportId: string, timeoutMs = 30000): Promise<any> {
  return waitForJob(api, bearer, `/exports/${exportId}/`, 'exportStatus', timeoutMs);
}

/** Polls until the import leaves InProgress (DescribeImport through the Lex surface). */
export function waitForImport(api: { url: string }, bearer: string, importId: string, timeoutMs = 30000): Promise<any> {
  return waitForJob(api, bearer, `/imports/${importId}/`, 'importStatus', timeoutMs);
}

/** Lex's import steps: CreateUploadUrl, PUT the archive, StartImport. Returns StartImport's answer. */
export async function startImport(
  api: { url: string },
  bearer: string,
  archive: Buffer,
  resourceSpecification: object,
  mergeStrategy = 'FailOnConflict',
): Promise<{ status: number; body: any; text: string }> {
  const upload = await call(api, 'POST', '/createuploadurl/', { token: bearer });
  if (upload.status !== 200) throw new Error(`CreateUploadUrl: ${upload.status} ${upload.text}`);
  const put = await fetch(upload.body.uploadUrl, { method: 'PUT', body: archive });
  if (put.status !== 200) throw new Error(`upload: ${put.status} ${await put.text()}`);
  return call(api, 'PUT', '/imports/', { token: bearer, body: { importId: upload.body.importId, resourceSpecification, mergeStrategy } });
}

/** A bot's DRAFT as a definition document (GET /v1/bots/{id}/versions/DRAFT). */
export async function draftOf(api: { url: string }, bearer: string, botId: string): Promise<any> {
  const res = await call(api, 'GET', `/v1/bots/${botId}/versions/DRAFT`, { token: bearer });
  if (res.status !== 200) throw new Error(`get draft: ${res.status} ${res.text}`);
  return res.body;
}

/** Creates a bot with the given draft, optionally publishing it; returns its id. */
export async function createBotWith(
  api: { url: string },
  bearer: string,
  doc: { bot: { name: string }; components?: unknown[] },
  publish = false,
): Promise<string> {
  const created = await call(api, 'POST', '/v1/bots', { token: bearer, body: { name: doc.bot.name } });
  if (created.status !== 201) throw new Error(`create bot: ${created.status} ${created.text}`);
  const botId = created.body.botId as string;
  const put = await call(api, 'PUT', `/v1/bots/${botId}/versions/DRAFT`, { token: bearer, body: doc });
  if (put.status !== 200) throw new Error(`put draft: ${put.status} ${put.text}`);
  if (publish) await call(api, 'POST', `/v1/bots/${botId}/versions`, { token: bearer });
  return botId;
}

/** Deletes every Redis key of this run's queues: what a Redis restart (no persistence) does to us. */
export async function flushQueues(): Promise<number> {
  const { default: IORedis } = await import('ioredis');
  const redis = new IORedis(process.env.REDIS_URL as string);
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${process.env.QUEUE_PREFIX}*`, 'COUNT', 1000);
      if (keys.length) deleted += await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}

/** Starts an api and a worker (both with `env` over the test environment) for the whole test file and stops them after it. */
export function useApiAndWorker(env: Record<string, string> = {}): { api: TestApi; worker: TestWorker } {
  const stack = {} as { api: TestApi; worker: TestWorker };
  beforeAll(async () => {
    stack.api = await startApi(env);
    stack.worker = await startWorker(env);
  });
  afterAll(async () => {
    await stack.worker?.close();
    await stack.api?.close();
  });
  return stack;
}

/** Everything the store holds for a tenant, for "changes nothing" assertions. */
export async function storeSnapshot(db: { query: (sql: string, params: unknown[]) => Promise<{ rows: unknown[] }> }, tenantId: string): Promise<unknown> {
  const [bots, versions, components] = await Promise.all([
    db.query('SELECT * FROM bots WHERE tenant_id = $1 ORDER BY bot_id', [tenantId]),
    db.query('SELECT * FROM bot_versions WHERE tenant_id = $1 ORDER BY bot_id, version', [tenantId]),
    db.query('SELECT * FROM components WHERE tenant_id = $1 ORDER BY bot_id, version, locale_id, kind, name', [tenantId]),
  ]);
  return { bots: bots.rows, versions: versions.rows, components: components.rows };
}

import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { createPool } from '@botport/shared';
import { call, newTenant, token, waitForExport } from '../support/harness';
import { createSyntheticBot } from '../../bench/synthetic-bot';
import { privateRedis } from '../support/private-services';
import { type Service, startService, stopServices, until } from '../support/processes';

/**
 * Real api and worker processes, faults injected, and at the end an account
 * of every job: each export Completed, exactly one run logged it completed
 * (nothing duplicated), exactly one archive under its prefix (no stray
 * objects), nothing lost.
 */
let db: ReturnType<typeof createPool>;
const s3 = new S3Client({ endpoint: process.env.S3_ENDPOINT, region: 'us-east-1', forcePathStyle: true });
beforeAll(() => {
  db = createPool(process.env.DATABASE_URL as string, 2); // the file's own database (test/support/own-database.ts)
});
afterAll(async () => {
  await db.end();
  s3.destroy();
});

/** Bots of their own (so no two exports are identical), each big enough that an export takes a moment. */
async function botsFor(tenant: string, n: number, components = 400): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push(await createSyntheticBot(db, tenant, `Fault_${i}`, components, 2000));
  return ids;
}

async function exportAll(api: { url: string }[], bearer: string, botIds: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const [i, botId] of botIds.entries()) {
    const res = await call(api[i % api.length], 'POST', '/v1/exports', { token: bearer, body: { botId } });
    if (res.status !== 202) throw new Error(`create: ${res.status} ${res.text}`);
    ids.push(res.body.exportId);
  }
  return ids;
}

async function statuses(ids: string[]): Promise<Record<string, number>> {
  const { rows } = await db.query<{ status: string; n: number }>(
    'SELECT status, count(*)::int AS n FROM export_jobs WHERE export_id = ANY($1) GROUP BY status',
    [ids],
  );
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

/**
 * Every export Completed (the record moves to Completed once: its UPDATE
 * requires InProgress), no run logged one completed twice, and exactly one
 * archive each. A worker killed right after completing may not have logged
 * it, so "at most once" is what the logs can show; where a second worker
 * survived, each completion it made is logged.
 */
async function account(tenant: string, ids: string[], workers: Service[]): Promise<void> {
  expect(await statuses(ids)).toEqual({ Completed: ids.length });
  const logs = workers.map((w) => w.output()).join('\n');
  const completions = ids.map((id) => (logs.match(new RegExp(`"exportId":"${id}"[^\\n]*"msg":"export completed"`, 'g')) ?? []).length);
  expect(completions.every((n) => n <= 1)).toBe(true);
  const killed = workers.filter((w) => w.signalCode === 'SIGKILL').length;
  expect(completions.filter((n) => n === 0).length).toBeLessThanOrEqual(killed * Number(quick.EXPORT_CONCURRENCY));
  const archives = async () => {
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: process.env.S3_BUCKET, Prefix: `exports/${tenant}/` }));
    const perExport = new Map<string, number>();
    for (const o of listed.Contents ?? []) perExport.set(o.Key!.split('/')[2], (perExport.get(o.Key!.split('/')[2]) ?? 0) + 1);
    return perExport;
  };
  // A run deletes the objects of the runs before it just after it completes the record (the record named the last
  // one until then): the last exports to complete may still be doing so when the records are all Completed.
  const perExport = await until('each export down to its one archive', archives, (m) => [...m.values()].every((n) => n === 1), 15000);
  expect([...perExport.keys()].sort()).toEqual([...ids].sort());
  expect([...perExport.values()].every((n) => n === 1)).toBe(true);
}

const quick = { JOB_LOCK_MS: '3000', RECONCILE_INTERVAL_MS: '1000', LOG_LEVEL: 'info', EXPORT_MAX_UNFINISHED_PER_TENANT: '200', EXPORT_CONCURRENCY: '2' };

test('kill -9 of a worker in the middle of 50 exports: a new worker finishes them all, each once', async () => {
  const tenant = newTenant();
  const bearer = token(tenant);
  const bots = await botsFor(tenant, 50);
  const api = await startService('api', quick);
  const first = await startService('worker', quick);
  let second: Service | undefined;
  try {
    const ids = await exportAll([api], bearer, bots);
    await until(
      '5 exports completed',
      async () => ((await statuses(ids)).Completed ?? 0) >= 5,
      (reached) => reached,
    );
    await stopServices([first], 'SIGKILL');
    expect((await statuses(ids)).Completed).toBeLessThan(50);
    second = await startService('worker', quick);
    await until(
      'all 50 completed',
      async () => (await statuses(ids)).Completed === 50,
      (reached) => reached,
    );
    await account(tenant, ids, [first, second]);
  } finally {
    await stopServices([api, first, ...(second ? [second] : [])]);
  }
});

test('Redis restarted empty while exports wait: the reconciler recovers every one', async () => {
  const redis = await privateRedis();
  const env = { ...quick, REDIS_URL: redis.url };
  const tenant = newTenant();
  const bearer = token(tenant);
  const bots = await botsFor(tenant, 20, 100);
  const api = await startService('api', env);
  let worker: Service | undefined;
  try {
    const ids = await exportAll([api], bearer, bots);
    await redis.stop();
    await redis.start(); // empty: it keeps nothing on disk
    worker = await startService('worker', env);
    await until(
      'all 20 completed',
      async () => (await statuses(ids)).Completed === 20,
      (reached) => reached,
    );
    await account(tenant, ids, [worker]);
    // The api came through the restart too.
    expect((await call(api, 'GET', `/exports/${ids[0]}/`, { token: bearer })).body.exportStatus).toBe('Completed');
  } finally {
    await stopServices([api, ...(worker ? [worker] : [])]);
    await redis.stop();
  }
});

test('two apis and two workers at once: no export runs twice to completion, one sweeper schedule', async () => {
  const tenant = newTenant();
  const bearer = token(tenant);
  const bots = await botsFor(tenant, 30, 200);
  const apis = [await startService('api', quick), await startService('api', quick)];
  const workers = [await startService('worker', quick), await startService('worker', quick)];
  try {
    const ids = await exportAll(apis, bearer, bots);
    await until(
      'all 30 completed',
      async () => (await statuses(ids)).Completed === 30,
      (reached) => reached,
    );
    await account(tenant, ids, workers);
    // Both workers ran some: the work was shared.
    expect(workers.every((w) => /"msg":"export completed"/.test(w.output()))).toBe(true);
    const { JobQueues, loadConfig } = await import('@botport/shared');
    const queues = new JobQueues(loadConfig());
    try {
      expect(await queues.maintenance.getJobSchedulersCount()).toBe(1);
    } finally {
      await queues.close();
    }
    const done = await waitForExport(apis[1], bearer, ids[0]);
    expect(done.exportStatus).toBe('Completed');
  } finally {
    await stopServices([...apis, ...workers]);
  }
});

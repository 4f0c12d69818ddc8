import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { call, createBotWith, flushQueues, newTenant, startApi, startWorker, type TestApi, token, waitForExport } from '../support/harness';
import { demoBot } from '../support/fixtures';
import { spawnService, stopServices, waitForLog } from '../support/processes';
import { createSyntheticBot } from '../../bench/synthetic-bot';
import { download, unzip } from '../support/zip';

let api: TestApi;
beforeAll(async () => {
  api = await startApi({ EXPORT_MAX_UNFINISHED_PER_TENANT: '50' });
});
afterAll(() => api.close());

/** The export ids the tenant's objects belong to (`exports/{tenant}/{exportId}/{run}.zip`), one entry per object. */
async function objectsUnder(tenant: string): Promise<string[]> {
  const res = await api.ctx.storage.client.send(new ListObjectsV2Command({ Bucket: api.ctx.storage.bucket, Prefix: `exports/${tenant}/` }));
  return (res.Contents ?? []).map((o) => o.Key!.split('/')[2]).sort();
}

describe('nothing is lost', () => {
  test('Redis flushed while exports wait: the reconciler re-enqueues them and all complete', async () => {
    const tenant = newTenant();
    const bearer = token(tenant);
    const botId = await createBotWith(api, bearer, demoBot());
    const ids: string[] = [];
    for (const localeId of [undefined, 'en_US', 'de_DE']) {
      const spec = localeId
        ? { botLocaleExportSpecification: { botId, botVersion: 'DRAFT', localeId } }
        : { botExportSpecification: { botId, botVersion: 'DRAFT' } };
      ids.push((await call(api, 'PUT', '/exports/', { token: bearer, body: { resourceSpecification: spec, fileFormat: 'BotportJson' } })).body.exportId);
    }
    expect(await flushQueues()).toBeGreaterThan(0);
    expect(await api.ctx.queues.exports.getJob(ids[0])).toBeUndefined();

    const worker = await startWorker();
    const { startReconciler } = await import('@botport/worker');
    const stop = startReconciler(worker.ctx, api.ctx.queues, 300);
    try {
      for (const id of ids) expect((await waitForExport(api, bearer, id, 30000)).exportStatus).toBe('Completed');
    } finally {
      await stop();
      await worker.close();
    }
    expect(await objectsUnder(tenant)).toEqual([...ids].sort());
  });

  test('an export left Deleting without a queue entry is deleted by the reconciler, object and record', async () => {
    const tenant = newTenant();
    const bearer = token(tenant);
    const botId = await createBotWith(api, bearer, demoBot());
    const worker = await startWorker();
    try {
      const id = (await call(api, 'POST', '/v1/exports', { token: bearer, body: { botId } })).body.exportId;
      expect((await waitForExport(api, bearer, id)).exportStatus).toBe('Completed');
      // As if the api crashed between marking the record and enqueueing its deletion.
      await api.ctx.db.query(`UPDATE export_jobs SET status = 'Deleting', updated_at = now() - interval '1 minute' WHERE export_id = $1`, [id]);
      const { reconcileLostJobs } = await import('@botport/worker');
      expect(await reconcileLostJobs(worker.ctx, api.ctx.queues)).toBe(1);
      for (let i = 0; i < 100 && (await api.ctx.db.query('SELECT 1 FROM export_jobs WHERE export_id = $1', [id])).rowCount; i++) {
        await new Promise((r) => setTimeout(r, 50));
      }
      expect((await api.ctx.db.query('SELECT 1 FROM export_jobs WHERE export_id = $1', [id])).rowCount).toBe(0);
      expect(await objectsUnder(tenant)).toEqual([]);
    } finally {
      await worker.close();
    }
  });

  test('a worker killed with SIGKILL mid-export: the job is retaken and completes, with no stray object', async () => {
    const tenant = newTenant();
    const bearer = token(tenant);
    const botId = await createSyntheticBot(api.ctx.db, tenant, 'Big', 6000, 6000);
    const env = { JOB_LOCK_MS: '2000', RECONCILE_INTERVAL_MS: '60000' };
    const first = spawnService('worker', env);
    let second: ReturnType<typeof spawnService> | undefined;
    try {
      await waitForLog(first, /worker started/);
      const created = await call(api, 'PUT', '/exports/', {
        token: bearer,
        body: { resourceSpecification: { botExportSpecification: { botId, botVersion: 'DRAFT' } }, fileFormat: 'BotportJson' },
      });
      const exportId = created.body.exportId;
      // Wait until the worker is inside the export (it has reported progress), then kill it.
      for (let i = 0; i < 300; i++) {
        const r = await call(api, 'GET', `/exports/${exportId}/`, { token: bearer });
        if (r.body.progress > 0 || r.body.exportStatus !== 'InProgress') break;
        await new Promise((res) => setTimeout(res, 20));
      }
      const before = await call(api, 'GET', `/exports/${exportId}/`, { token: bearer });
      expect(before.body.exportStatus).toBe('InProgress');
      await stopServices([first], 'SIGKILL');

      second = spawnService('worker', env);
      const done = await waitForExport(api, bearer, exportId, 60000);
      expect(done.exportStatus).toBe('Completed');
      const files = await unzip((await download(done.downloadUrl)).data);
      expect(JSON.parse(files.get('manifest.json')!.toString()).componentCount).toBe(6000);
      expect(await objectsUnder(tenant)).toEqual([exportId]);
    } finally {
      // Whatever failed, no worker outlives the test.
      await stopServices([first, ...(second ? [second] : [])]);
    }
  });

  test('S3 unreachable longer than the retry budget: the export retries, then fails with a reason and leaves no object', async () => {
    const tenant = newTenant();
    const bearer = token(tenant);
    const botId = await createBotWith(api, bearer, demoBot());
    // Attempts and backoff are job options, set where the job is added: by the api.
    const impatient = await startApi({ JOB_ATTEMPTS: '3', JOB_BACKOFF_MS: '50' });
    const worker = await startWorker({ S3_ENDPOINT: 'http://127.0.0.1:9' });
    try {
      const created = await call(impatient, 'POST', '/v1/exports', { token: bearer, body: { botId } });
      const done = await waitForExport(api, bearer, created.body.exportId, 60000);
      expect(done.exportStatus).toBe('Failed');
      expect(done.failureReasons).toEqual([expect.stringMatching(/^the export failed after 3 attempts: /)]);
      const job = await api.ctx.queues.exports.getJob(created.body.exportId);
      expect(job?.attemptsMade).toBe(3);
      expect(await objectsUnder(tenant)).toEqual([]);
    } finally {
      await worker.close();
      await impatient.close();
    }
  });

  test('the sweeper removes exports past their seven days, object and record', async () => {
    const tenant = newTenant();
    const bearer = token(tenant);
    const botId = await createBotWith(api, bearer, demoBot());
    const worker = await startWorker();
    try {
      const old = (await call(api, 'POST', '/v1/exports', { token: bearer, body: { botId } })).body.exportId;
      const fresh = (await call(api, 'POST', '/v1/exports', { token: bearer, body: { botId, localeId: 'en_US' } })).body.exportId;
      await waitForExport(api, bearer, old);
      await waitForExport(api, bearer, fresh);
      await api.ctx.db.query(
        `UPDATE export_jobs SET expires_at = now() - interval '1 minute', created_at = now() - interval '7 days 1 minute' WHERE export_id = $1`,
        [old],
      );
      const job = await api.ctx.queues.maintenance.add('sweep-expired', {});
      for (let i = 0; i < 100 && !(await job.isCompleted()); i++) await new Promise((r) => setTimeout(r, 50));
      expect(await job.isCompleted()).toBe(true);
      expect((await call(api, 'GET', `/exports/${old}/`, { token: bearer })).status).toBe(404);
      expect((await call(api, 'GET', `/exports/${fresh}/`, { token: bearer })).status).toBe(200);
      expect(await objectsUnder(tenant)).toEqual([fresh]);
    } finally {
      await worker.close();
    }
  });
});

import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { call, createBotWith, flushQueues, newTenant, startApi, startImport, startWorker, type TestApi, token, waitForImport } from '../support/harness';
import { demoBot } from '../support/fixtures';
import { botportFiles, withManifest, zipOf } from '../support/archives';

let api: TestApi;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.close());

const archive = () => zipOf(withManifest(botportFiles(demoBot('Imported'))));

async function objectsUnder(tenant: string): Promise<string[]> {
  const res = await api.ctx.storage.client.send(new ListObjectsV2Command({ Bucket: api.ctx.storage.bucket, Prefix: `imports/${tenant}/` }));
  return (res.Contents ?? []).map((o) => o.Key!).sort();
}

describe('imports: nothing is lost, nothing is left behind', () => {
  test('Redis flushed while an import waits: the reconciler re-enqueues it and it completes once', async () => {
    const bearer = token(newTenant());
    const started = await startImport(api, bearer, archive(), { botImportSpecification: { botName: 'Imported' } });
    expect(started.status).toBe(202);
    expect(await flushQueues()).toBeGreaterThan(0);

    const worker = await startWorker();
    const { startReconciler } = await import('@botport/worker');
    const stop = startReconciler(worker.ctx, api.ctx.queues, 300);
    try {
      const done = await waitForImport(api, bearer, started.body.importId, 30000);
      expect(done).toMatchObject({ importStatus: 'Completed', importSummary: { botCreated: true } });
      const bots = await call(api, 'GET', '/v1/bots', { token: bearer });
      expect(bots.body.bots.map((b: { name: string }) => b.name)).toEqual(['Imported']);
    } finally {
      await stop();
      await worker.close();
    }
  });

  test('the sweeper removes imports past their seven days and uploads no import took, objects and rows', async () => {
    const tenant = newTenant();
    const bearer = token(tenant);
    await createBotWith(api, bearer, demoBot('Kept'));
    const worker = await startWorker();
    try {
      const old = (await startImport(api, bearer, archive(), { botImportSpecification: { botName: 'Old' } })).body.importId;
      const fresh = (await startImport(api, bearer, archive(), { botImportSpecification: { botName: 'Fresh' } })).body.importId;
      await waitForImport(api, bearer, old);
      await waitForImport(api, bearer, fresh);
      const unused = (await call(api, 'POST', '/createuploadurl/', { token: bearer })).body;
      await fetch(unused.uploadUrl, { method: 'PUT', body: archive() });
      await api.ctx.db.query(`UPDATE import_jobs SET expires_at = now() - interval '1 minute' WHERE import_id = $1`, [old]);
      await api.ctx.db.query(`UPDATE uploads SET expires_at = now() - interval '1 minute' WHERE upload_id = ANY($1)`, [[old, unused.importId]]);

      const job = await api.ctx.queues.maintenance.add('sweep-expired', {});
      for (let i = 0; i < 100 && !(await job.isCompleted()); i++) await new Promise((r) => setTimeout(r, 50));
      expect(await job.isCompleted()).toBe(true);
      expect((await call(api, 'GET', `/imports/${old}/`, { token: bearer })).status).toBe(404);
      expect((await call(api, 'GET', `/imports/${fresh}/`, { token: bearer })).status).toBe(200);
      expect(await objectsUnder(tenant)).toEqual([`imports/${tenant}/${fresh}.zip`]);
      const uploads = await api.ctx.db.query('SELECT upload_id FROM uploads WHERE tenant_id = $1', [tenant]);
      expect(uploads.rows.map((r) => r.upload_id)).toEqual([fresh]);
      // The bots the imports made stay: deleting a job never deletes a bot.
      const bots = await call(api, 'GET', '/v1/bots', { token: bearer });
      expect(bots.body.bots.map((b: { name: string }) => b.name).sort()).toEqual(['Fresh', 'Kept', 'Old']);
    } finally {
      await worker.close();
    }
  });
});

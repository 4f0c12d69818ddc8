import { randomBytes } from 'node:crypto';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { createPool, exportObjectPrefix, loadConfig, migrate, Storage } from '@botport/shared';
import { createSyntheticBot } from '../../bench/synthetic-bot';
import { call, newTenant, token, waitForExport } from '../support/harness';
import { exitOf, spawnService, startService, stopServices, until, waitForLog } from '../support/processes';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const services = require('../../infra/local/services.js');

describe('process lifecycle', () => {
  test.each(['api', 'worker'] as const)('the %s exits cleanly within 10 s of SIGTERM', async (name) => {
    const child = spawnService(name, { PORT: '0' });
    await waitForLog(child, name === 'api' ? /api listening/ : /worker started/);
    const started = Date.now();
    child.kill('SIGTERM');
    // Exited by itself, not killed by a signal (which would name it).
    expect(await exitOf(child)).toEqual({ code: 0, signal: null });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(child.output()).toMatch(/"msg":"stopped"/);
  });

  test('a bad configuration stops the process with a message naming the variable', async () => {
    const child = spawnService('api', { PORT: 'not-a-port' });
    const { code } = await exitOf(child);
    expect(code).toBe(78);
    expect(child.output()).toMatch(/PORT/);
  });

  test('two replicas migrating a fresh database at once apply each migration exactly once', async () => {
    const url = `${process.env.DATABASE_URL!.replace(/\/[^/]+$/, '')}/botport_race_${randomBytes(3).toString('hex')}`;
    await services.ensureDatabase(url);
    const a = createPool(url, 2);
    const b = createPool(url, 2);
    try {
      const [first, second] = await Promise.all([migrate(a), migrate(b)]);
      expect(first.length + second.length).toBeGreaterThan(0);
      expect(new Set([...first, ...second]).size).toBe(first.length + second.length);
      const { rows } = await a.query('SELECT count(*)::int AS n FROM schema_migrations');
      expect(rows[0].n).toBe(first.length + second.length);
    } finally {
      await Promise.all([a.end(), b.end()]);
      await services.dropDatabase(url);
    }
  });
});

describe('a worker stopped with a job in flight', () => {
  test('SIGTERM: it exits within the grace period (+2 s), the export completes on a second worker, one archive', async () => {
    const env = { SHUTDOWN_GRACE_MS: '1000', JOB_LOCK_MS: '4000' };
    const db = createPool(process.env.DATABASE_URL as string, 2);
    const storage = new Storage(loadConfig());
    const api = await startService('api', env);
    const workers = [await startService('worker', env)];
    try {
      const tenant = newTenant();
      const bearer = token(tenant);
      // About 60 MB of JSON: several seconds of work, far more than the grace period.
      const botId = await createSyntheticBot(db, tenant, 'InFlight', 15000, 4000);
      const { exportId } = (await call(api, 'POST', '/v1/exports', { token: bearer, body: { botId } })).body;
      await until(
        'the export is under way',
        async () => (await db.query('SELECT progress FROM export_jobs WHERE export_id = $1', [exportId])).rows[0].progress,
        (p: number) => p > 0,
        30000,
      );
      const stoppedAt = Date.now();
      workers[0].kill('SIGTERM');
      expect((await exitOf(workers[0])).code).toBe(0);
      expect(Date.now() - stoppedAt).toBeLessThan(1000 + 2000);
      expect(workers[0].output()).toContain('grace period over: running jobs handed back to the queue');
      // Cut short is not failed: the record waits for the next worker.
      expect((await db.query('SELECT status FROM export_jobs WHERE export_id = $1', [exportId])).rows[0].status).toBe('InProgress');

      workers.push(await startService('worker', env));
      expect((await waitForExport(api, bearer, exportId, 90000)).exportStatus).toBe('Completed');
      const listed = await storage.client.send(new ListObjectsV2Command({ Bucket: storage.bucket, Prefix: exportObjectPrefix(tenant, exportId) }));
      expect(listed.Contents?.length).toBe(1);
    } finally {
      await stopServices([api, ...workers]);
      storage.destroy();
      await db.end();
    }
  }, 180000);
});

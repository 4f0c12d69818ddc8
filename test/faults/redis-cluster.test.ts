import { createPool } from '@botport/shared';
import { call, newTenant, startImport, token, waitForExport, waitForImport } from '../support/harness';
import { botportFiles, withManifest, zipOf } from '../support/archives';
import { demoBot } from '../support/fixtures';
import { createSyntheticBot } from '../../bench/synthetic-bot';
import { privateRedisCluster } from '../support/private-services';
import { exitOf, spawnService, startService, stopServices } from '../support/processes';

/**
 * Where users go when one Redis is not enough: the export and import flows
 * on a three-node Redis Cluster, the queue prefix in a hash tag.
 */
test('exports and imports run on a Redis Cluster', async () => {
  const cluster = await privateRedisCluster();
  const env = { REDIS_URL: cluster.url, REDIS_CLUSTER: 'true', QUEUE_PREFIX: `{bp-cluster-${Date.now()}}`, LOG_LEVEL: 'info', RECONCILE_INTERVAL_MS: '1000' };
  const db = createPool(process.env.DATABASE_URL as string, 2);
  const tenant = newTenant();
  const bearer = token(tenant);
  const api = await startService('api', env);
  const worker = await startService('worker', env);
  try {
    expect((await call(api, 'GET', '/readyz')).status).toBe(200);
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      const botId = await createSyntheticBot(db, tenant, `Cluster_${i}`, 100, 1000);
      ids.push((await call(api, 'POST', '/v1/exports', { token: bearer, body: { botId } })).body.exportId);
    }
    for (const id of ids) expect((await waitForExport(api, bearer, id, 60000)).exportStatus).toBe('Completed');
    const started = await startImport(api, bearer, zipOf(withManifest(botportFiles(demoBot('OnCluster')))), {
      botImportSpecification: { botName: 'OnCluster' },
    });
    expect((await waitForImport(api, bearer, started.body.importId, 60000)).importStatus).toBe('Completed');
    // Without a hash tag BullMQ's scripts would cross slots: the config refuses it at start.
    const bad = spawnService('api', { ...env, QUEUE_PREFIX: 'no-hash-tag' });
    expect((await exitOf(bad)).code).toBe(78);
    expect(bad.output()).toMatch(/QUEUE_PREFIX: needs a hash tag/);
  } finally {
    await stopServices([api, worker]);
    await cluster.stop();
    await db.end();
  }
});

import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { createPool } from '@botport/shared';
import { call, newTenant, token } from '../support/harness';
import { createSyntheticBot } from '../../bench/synthetic-bot';
import { canRunPrivatePostgres, privatePostgres, privateS3 } from '../support/private-services';
import { startService, stopServices, until } from '../support/processes';

/** The S3 server or PostgreSQL goes away for a while: the service says so, keeps running, and recovers by itself. */
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('the S3 server stopped for 20 s during exports: they retry and complete, the api stays up and says what is down', async () => {
  const bucket = `botport-fault-${Date.now()}`;
  const s3 = await privateS3(bucket);
  const env = { ...s3.env, JOB_BACKOFF_MS: '2000', JOB_ATTEMPTS: '6', LOG_LEVEL: 'info' };
  const db = createPool(process.env.DATABASE_URL as string, 2);
  const tenant = newTenant();
  const bearer = token(tenant);
  const api = await startService('api', env);
  const worker = await startService('worker', env);
  try {
    const bots: string[] = [];
    for (let i = 0; i < 10; i++) bots.push(await createSyntheticBot(db, tenant, `S3_${i}`, 300, 2000));
    await s3.stop();
    const ids: string[] = [];
    for (const botId of bots) ids.push((await call(api, 'POST', '/v1/exports', { token: bearer, body: { botId } })).body.exportId);

    const outageEnds = Date.now() + 20000;
    while (Date.now() < outageEnds) {
      expect((await call(api, 'GET', '/healthz')).status).toBe(200);
      const ready = await call(api, 'GET', '/readyz');
      expect(ready.status).toBe(503);
      expect(ready.text).toMatch(/s3/i);
      expect((await call(api, 'GET', `/v1/exports/${ids[0]}`, { token: bearer })).body.status).toBe('InProgress');
      await sleep(2000);
    }
    await s3.start();

    await until(
      'all 10 completed',
      () => db.query('SELECT status FROM export_jobs WHERE export_id = ANY($1)', [ids]),
      (r) => r.rows.every((x) => x.status === 'Completed'),
    );
    expect((await call(api, 'GET', '/readyz')).status).toBe(200);
    const client = new S3Client({ endpoint: s3.url, region: 'us-east-1', forcePathStyle: true });
    const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `exports/${tenant}/` }));
    client.destroy();
    expect((listed.Contents ?? []).map((o) => o.Key!.split('/')[2]).sort()).toEqual([...ids].sort());
    const logs = worker.output();
    for (const id of ids) expect((logs.match(new RegExp(`"exportId":"${id}"[^\\n]*"msg":"export completed"`, 'g')) ?? []).length).toBe(1);
  } finally {
    await stopServices([api, worker]);
    await s3.stop();
    await db.end();
  }
});

const pgTest = canRunPrivatePostgres() ? test : test.skip;

pgTest('PostgreSQL restarted: the api answers 503 with a clear error meanwhile, never crashes, and recovers by itself', async () => {
  const pg = await privatePostgres();
  const env = { DATABASE_URL: pg.url, LOG_LEVEL: 'info' };
  const api = await startService('api', env);
  const bearer = token(newTenant());
  try {
    expect((await call(api, 'POST', '/v1/bots', { token: bearer, body: { name: 'Before' } })).status).toBe(201);
    await pg.stop();
    for (let i = 0; i < 5; i++) {
      const res = await call(api, 'GET', '/v1/bots', { token: bearer });
      expect(res.status).toBe(503);
      expect(res.body.detail).toMatch(/database is unreachable/);
      const lex = await call(api, 'POST', '/exports/', { token: bearer, body: {} });
      expect([lex.status, lex.headers.get('x-amzn-errortype')]).toEqual([500, 'InternalServerException']);
      expect((await call(api, 'GET', '/healthz')).status).toBe(200);
      expect((await call(api, 'GET', '/readyz')).status).toBe(503);
    }
    await pg.start();
    const after = await until(
      'the api reaches PostgreSQL again',
      () => call(api, 'GET', '/v1/bots', { token: bearer }),
      (r) => r.status === 200,
      30000,
    );
    expect(after.body.bots.map((b: { name: string }) => b.name)).toEqual(['Before']);
    expect(api.exitCode).toBeNull();
  } finally {
    await stopServices([api]);
    await pg.stop();
    pg.cleanup();
  }
});

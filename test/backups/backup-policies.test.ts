import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DeleteBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { call, createBotWith, newTenant, startApi, startWorker, token, useApiAndWorker, type TestWorker } from '../support/harness';
import { demoBot } from '../support/fixtures';
import { privateS3, type PrivateServer } from '../support/private-services';
import { download, waitNative } from '../support/native';

/**
 * A second S3 server (s3rver) stands for the tenant's own bucket. s3rver
 * checks that an access key id is one it knows (S3RVER) but not signatures,
 * so "a wrong credential is refused" is shown with an unknown access key id,
 * a bucket that does not exist and an endpoint nobody listens on.
 */
const TENANT_BUCKET = 'tenant-backups';
const env = {
  BACKUP_ALLOW_PRIVATE_ENDPOINTS: 'true',
  // A test-only schedule with seconds (six fields): slots every second instead of every minute.
  BACKUP_MIN_INTERVAL_SECONDS: '1',
  NOTIFY_SIGNING_SECRET: 'backup-test-signing-secret-0123456789',
  NOTIFY_ALLOW_PRIVATE: 'true',
  JOB_ATTEMPTS: '2',
  JOB_BACKOFF_MS: '100',
};
const stack = useApiAndWorker(env);
let s3: PrivateServer & { env: Record<string, string> };
let bucket: S3Client;

beforeAll(async () => {
  s3 = await privateS3(TENANT_BUCKET);
  bucket = new S3Client({ endpoint: s3.url, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
});
afterAll(async () => {
  bucket?.destroy();
  await s3?.stop();
});

const destination = (over: Record<string, unknown> = {}) => ({
  type: 's3',
  endpoint: s3.url,
  bucket: TENANT_BUCKET,
  prefix: 'team-a/',
  accessKeyId: 'S3RVER',
  secretAccessKey: 'S3RVER',
  ...over,
});

async function objects(prefix: string): Promise<string[]> {
  const page = await bucket.send(new ListObjectsV2Command({ Bucket: TENANT_BUCKET, Prefix: prefix }));
  return (page.Contents ?? []).map((o) => o.Key!).sort();
}

async function runNow(bearer: string, policyId: string): Promise<any> {
  const started = await call(stack.api, 'POST', `/v1/backup-policies/${policyId}/runs`, { token: bearer });
  expect(started.status).toBe(202);
  expect(started.body).toMatchObject({ status: 'InProgress', trigger: 'manual', slot: null });
  return waitNative(stack.api, bearer, `/v1/backup-policies/${policyId}/runs/${started.body.runId}`);
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('backup policies to the tenant’s own bucket', () => {
  test('daily: three runs write one archive (two unchanged), a change writes a new one, keep-2 removes the oldest, and a backup restores the DRAFT', async () => {
    const bearer = token(newTenant());
    const botId = await createBotWith(stack.api, bearer, demoBot('Backed'));
    // Twelve hours from now, so no scheduled run lands among the runs this test starts and counts.
    const schedule = `0 ${(new Date().getUTCHours() + 12) % 24} * * *`;
    const created = await call(stack.api, 'POST', '/v1/backup-policies', {
      token: bearer,
      body: {
        name: 'nightly',
        botId,
        schedule,
        versions: ['DRAFT'],
        retention: { keepLast: 2 },
        destination: destination({ prefix: `${botId}-p/` }),
      },
    });
    expect(created.status).toBe(201);
    const policy = created.body;
    expect(policy).toMatchObject({ botId, schedule, timezone: 'UTC', retention: { keepLast: 2, keepDays: null }, enabled: true });
    expect(policy.destination).toEqual({
      type: 's3',
      endpoint: s3.url,
      bucket: TENANT_BUCKET,
      prefix: `${botId}-p/`,
      region: 'us-east-1',
      forcePathStyle: true,
      accessKeyId: 'S3RVER',
    });
    expect(JSON.stringify(policy)).not.toContain('secretAccessKey');
    expect(new Date(policy.nextRuns[1]).getTime() - new Date(policy.nextRuns[0]).getTime()).toBe(86_400_000);
    const prefix = `${botId}-p/`;
    expect(await objects(prefix)).toEqual([]); // the test write was deleted again

    const runs = [await runNow(bearer, policy.policyId), await runNow(bearer, policy.policyId), await runNow(bearer, policy.policyId)];
    expect(runs.map((r) => r.status)).toEqual(['Completed', 'Unchanged', 'Unchanged']);
    expect(runs.map((r) => r.items[0].outcome)).toEqual(['written', 'unchanged', 'unchanged']);
    const first = await objects(prefix);
    expect(first).toHaveLength(1);
    const stored = await download(
      (await call(stack.api, 'GET', `/v1/backup-policies/${policy.policyId}/archives/${runs[0].items[0].archiveId}`, { token: bearer })).body.objectKey.replace(
        /^/,
        `${s3.url}/${TENANT_BUCKET}/`,
      ),
    );
    expect(sha256(stored)).toBe(runs[0].items[0].sha256);
    expect(runs[2].items[0]).toMatchObject({ archiveId: runs[0].items[0].archiveId, sha256: runs[0].items[0].sha256 });

    const edit = (name: string) =>
      call(stack.api, 'PUT', `/v1/bots/${botId}/versions/DRAFT/components/action/${name}`, { token: bearer, body: { body: { at: name } } });
    await edit('Second');
    const changed = await runNow(bearer, policy.policyId);
    expect(changed).toMatchObject({ status: 'Completed', items: [{ outcome: 'written' }] });
    expect(changed.items[0].sha256).not.toBe(runs[0].items[0].sha256);
    expect(await objects(prefix)).toHaveLength(2);

    await edit('Third');
    const third = await runNow(bearer, policy.policyId);
    const kept = await objects(prefix);
    expect(kept).toHaveLength(2); // keep-2: the oldest went
    expect(kept).not.toContain(first[0]);
    const listed = await call(stack.api, 'GET', `/v1/backup-policies/${policy.policyId}/archives`, { token: bearer });
    expect(listed.body.archives.map((a: { archiveId: string }) => a.archiveId)).toEqual([third.items[0].archiveId, changed.items[0].archiveId]);

    // Restore the older kept backup in one call: the DRAFT becomes that backup exactly, and it can be undone.
    const restore = await call(stack.api, 'POST', `/v1/backup-policies/${policy.policyId}/archives/${changed.items[0].archiveId}/restore`, { token: bearer });
    expect(restore.status).toBe(202);
    const restored = await waitNative(stack.api, bearer, `/v1/imports/${restore.body.importId}`);
    expect(restored).toMatchObject({ status: 'Completed', mergeStrategy: 'Replace', botId });
    const diff = await call(stack.api, 'GET', `/v1/bots/${botId}/diff?from=backup:${changed.items[0].archiveId}&to=DRAFT`, { token: bearer });
    expect(diff.body).toMatchObject({ added: [], removed: [], changed: [] });
    const againstThird = await call(stack.api, 'GET', `/v1/bots/${botId}/diff?from=backup:${third.items[0].archiveId}&to=DRAFT`, { token: bearer });
    expect(againstThird.body.removed).toEqual([{ kind: 'action', name: 'Third' }]);

    const listing = await call(stack.api, 'GET', `/v1/backup-policies/${policy.policyId}/runs?limit=2`, { token: bearer });
    expect(listing.body.runs.map((r: { runId: string }) => r.runId)).toEqual([third.runId, changed.runId]);
    expect(listing.body.nextCursor).toBeDefined();
    const rest = await call(stack.api, 'GET', `/v1/backup-policies/${policy.policyId}/runs?limit=10&cursor=${listing.body.nextCursor}`, { token: bearer });
    expect(rest.body.runs).toHaveLength(3);
  });

  test('under a password the bytes always differ, so "unchanged" compares the content: the second run writes nothing', async () => {
    const bearer = token(newTenant());
    const botId = await createBotWith(stack.api, bearer, demoBot('Sealed'));
    const created = await call(stack.api, 'POST', '/v1/backup-policies', {
      token: bearer,
      body: { name: 'sealed', botId, schedule: '0 3 * * *', filePassword: 'correct horse', destination: destination({ prefix: `${botId}-s/` }) },
    });
    expect(created.body).toMatchObject({ passwordProtected: true });
    const a = await runNow(bearer, created.body.policyId);
    const b = await runNow(bearer, created.body.policyId);
    expect([a.status, b.status]).toEqual(['Completed', 'Unchanged']);
    const archive = (await call(stack.api, 'GET', `/v1/backup-policies/${created.body.policyId}/archives`, { token: bearer })).body.archives[0];
    expect(archive.sha256).not.toBe(archive.contentSha256);
    expect(await objects(`${botId}-s/`)).toHaveLength(1);
    // Restoring it opens it with the policy's password.
    const restore = await call(stack.api, 'POST', `/v1/backup-policies/${created.body.policyId}/archives/${archive.archiveId}/restore`, { token: bearer });
    expect(await waitNative(stack.api, bearer, `/v1/imports/${restore.body.importId}`)).toMatchObject({ status: 'Completed' });
  });

  test('a wrong bucket credential, a missing bucket or an endpoint that refuses is refused when the policy is saved, naming why; nothing is saved', async () => {
    const bearer = token(newTenant());
    const botId = await createBotWith(stack.api, bearer, demoBot('Refused'));
    const save = (d: Record<string, unknown>) =>
      call(stack.api, 'POST', '/v1/backup-policies', { token: bearer, body: { name: 'x', botId, schedule: '0 * * * *', destination: d } });

    const wrongKey = await save(destination({ accessKeyId: 'NOT-A-KEY' }));
    expect(wrongKey.status).toBe(400);
    expect(wrongKey.body.detail).toMatch(new RegExp(`bucket '${TENANT_BUCKET}' at ${s3.url} refused a test write: InvalidAccessKeyId \\(HTTP 403\\)`));
    const noBucket = await save(destination({ bucket: 'no-such-bucket' }));
    expect(noBucket.status).toBe(400);
    expect(noBucket.body.detail).toMatch(/bucket 'no-such-bucket' .* refused a test write: NoSuchBucket \(HTTP 404\)/);
    const nobody = await save(destination({ endpoint: 'http://127.0.0.1:9' }));
    expect(nobody.status).toBe(400);
    expect(nobody.body.detail).toMatch(/refused a test write/);
    expect((await call(stack.api, 'GET', '/v1/backup-policies', { token: bearer })).body.policies).toEqual([]);

    // Without the local stack's allowance: a private endpoint is refused before any connection, and so is a schedule with seconds.
    const strict = await startApi({});
    try {
      const privateEndpoint = await call(strict, 'POST', '/v1/backup-policies', {
        token: bearer,
        body: { name: 'x', botId, schedule: '0 * * * *', destination: destination() },
      });
      expect(privateEndpoint.status).toBe(400);
      expect(privateEndpoint.body.detail).toMatch(/destination.endpoint points at 127.0.0.1 \(loopback\), which botport may not call/);
      const everySecond = await call(strict, 'POST', '/v1/backup-policies', { token: bearer, body: { name: 'x', botId, schedule: '* * * * * *' } });
      expect(everySecond.status).toBe(400);
      expect(everySecond.body.detail).toMatch(/fires every 1 s; backups run at most every 60 s/);
      const notCron = await call(strict, 'POST', '/v1/backup-policies', { token: bearer, body: { name: 'x', botId, schedule: 'every day' } });
      expect(notCron.body.detail).toMatch(/is not a cron expression/);
    } finally {
      await strict.close();
    }
  });

  test('two workers: one run per slot, however many see it', async () => {
    const bearer = token(newTenant());
    const botId = await createBotWith(stack.api, bearer, demoBot('Twice'));
    let second: TestWorker | undefined;
    try {
      second = await startWorker(env);
      const created = await call(stack.api, 'POST', '/v1/backup-policies', { token: bearer, body: { name: 'every second', botId, schedule: '* * * * * *' } });
      expect(created.status).toBe(201);
      const policyId = created.body.policyId;
      // Both workers declare the schedule again, as their reconcilers do: the same scheduler, not a second one.
      await second.ctx.queues.scheduleBackups(`backup-policy-${policyId}`, policyId, '* * * * * *', 'UTC');
      await stack.worker.ctx.queues.scheduleBackups(`backup-policy-${policyId}`, policyId, '* * * * * *', 'UTC');
      await new Promise((r) => setTimeout(r, 4500));
      // And a slot's job delivered twice, once to each worker's queue, as a lost lock would: still one run.
      const { runs: before } = (await call(stack.api, 'GET', `/v1/backup-policies/${policyId}/runs?limit=100`, { token: bearer })).body;
      const slot = new Date(before[before.length - 1].slot).getTime();
      await second.ctx.queues.backups.add('backup-slot', { policyId }, { jobId: `dup-a-${policyId}`, timestamp: slot });
      await stack.worker.ctx.queues.backups.add('backup-slot', { policyId }, { jobId: `dup-b-${policyId}`, timestamp: slot });
      await new Promise((r) => setTimeout(r, 1000));
      const disabled = await call(stack.api, 'PUT', `/v1/backup-policies/${policyId}`, {
        token: bearer,
        body: { name: 'every second', botId, schedule: '* * * * * *', enabled: false },
      });
      expect(disabled.body).toMatchObject({ enabled: false, nextRuns: [] });
      await new Promise((r) => setTimeout(r, 1500)); // a slot already under way settles
      const { runs } = (await call(stack.api, 'GET', `/v1/backup-policies/${policyId}/runs?limit=100`, { token: bearer })).body;
      const slots = runs.map((r: { slot: string }) => r.slot);
      expect(runs.length).toBeGreaterThanOrEqual(3);
      expect(new Set(slots).size).toBe(slots.length);
      expect(runs.every((r: { trigger: string; slot: string }) => r.trigger === 'schedule' && new Date(r.slot).getMilliseconds() === 0)).toBe(true);
      expect(runs.filter((r: { status: string }) => r.status === 'Completed')).toHaveLength(1); // the first wrote, the rest found it unchanged
    } finally {
      await second?.close();
    }
  });

  test('a failed run is recorded, names why, and notifies the policy’s notifyUrl', async () => {
    const events: any[] = [];
    const receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        events.push({ headers: req.headers, body: JSON.parse(body) });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    try {
      const bearer = token(newTenant());
      const botId = await createBotWith(stack.api, bearer, demoBot('Doomed'));
      const gone = `gone-${botId.toLowerCase()}`;
      const doomed = await privateS3(gone);
      const created = await call(stack.api, 'POST', '/v1/backup-policies', {
        token: bearer,
        body: {
          name: 'doomed',
          botId,
          schedule: '0 3 * * *',
          destination: destination({ endpoint: doomed.url, bucket: gone }),
          notifyUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`,
        },
      });
      expect(created.status).toBe(201);
      const client = new S3Client({
        endpoint: doomed.url,
        region: 'us-east-1',
        forcePathStyle: true,
        credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      });
      await client.send(new DeleteBucketCommand({ Bucket: gone }));
      client.destroy();
      const run = await runNow(bearer, created.body.policyId);
      await doomed.stop();
      expect(run.status).toBe('Failed');
      expect(run.failureReasons[0]).toMatch(/the backup run failed after 2 attempts: .*bucket/i);
      const start = Date.now();
      while (!events.length && Date.now() - start < 10000) await new Promise((r) => setTimeout(r, 100));
      expect(events[0].headers['botport-event']).toBe('backup.failed');
      expect(events[0].body.data).toMatchObject({ runId: run.runId, policyId: created.body.policyId, status: 'Failed' });
    } finally {
      receiver.close();
    }
  });

  test('another tenant sees none of it; a bot token sees its bot’s policies only; the backup scope is needed', async () => {
    const tenant = newTenant();
    const bearer = token(tenant);
    const botId = await createBotWith(stack.api, bearer, demoBot('Mine'));
    const other = await createBotWith(stack.api, bearer, demoBot('Other'));
    const mine = (await call(stack.api, 'POST', '/v1/backup-policies', { token: bearer, body: { name: 'mine', botId, schedule: '0 3 * * *' } })).body;
    await call(stack.api, 'POST', '/v1/backup-policies', { token: bearer, body: { name: 'other', botId: other, schedule: '0 3 * * *' } });
    expect((await call(stack.api, 'GET', `/v1/backup-policies/${mine.policyId}`, { token: token(newTenant()) })).status).toBe(404);
    expect((await call(stack.api, 'POST', `/v1/backup-policies/${mine.policyId}/runs`, { token: token(newTenant()) })).status).toBe(404);
    const botToken = token(tenant, { bot: botId });
    expect((await call(stack.api, 'GET', '/v1/backup-policies', { token: botToken })).body.policies.map((p: { name: string }) => p.name)).toEqual(['mine']);
    expect((await call(stack.api, 'GET', '/v1/backup-policies', { token: token(tenant, { scopes: ['bots:read'] }) })).status).toBe(403);
    const done = await runNow(bearer, mine.policyId);
    expect(done).toMatchObject({ status: 'Completed' });
    // botport's own bucket: a pre-signed download of the archive.
    const archive = await call(stack.api, 'GET', `/v1/backup-policies/${mine.policyId}/archives/${done.items[0].archiveId}`, { token: bearer });
    expect(sha256(await download(archive.body.downloadUrl))).toBe(done.items[0].sha256);
    expect((await call(stack.api, 'DELETE', `/v1/backup-policies/${mine.policyId}`, { token: bearer })).status).toBe(204);
    expect((await call(stack.api, 'GET', `/v1/backup-policies/${mine.policyId}`, { token: bearer })).status).toBe(404);
  });
});

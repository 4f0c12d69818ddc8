import { demoBot } from '../support/fixtures';
import { call, createBotWith, newTenant, startApi, startWorker, type TestApi, type TestWorker, token, waitForExport } from '../support/harness';

/**
 * A failure that no retry can mend fails the job at once, however it is
 * raised: here an archive password sealed by an api whose SECRETS_KEY the
 * worker does not have (a key changed between the two).
 */
let api: TestApi;
let worker: TestWorker;
beforeAll(async () => {
  api = await startApi({ SECRETS_KEY: 'a'.repeat(40) });
  worker = await startWorker({ SECRETS_KEY: 'b'.repeat(40), JOB_ATTEMPTS: '5', JOB_BACKOFF_MS: '5000' });
});
afterAll(async () => {
  await worker?.close();
  await api?.close();
});

test('a password sealed under another SECRETS_KEY fails the export on its first attempt, saying why', async () => {
  const bearer = token(newTenant());
  const botId = await createBotWith(api, bearer, demoBot());
  const created = await call(api, 'POST', '/v1/exports', { token: bearer, body: { botId, filePassword: 'correct horse battery staple' } });
  const done = await waitForExport(api, bearer, created.body.exportId, 8000);
  expect(done.exportStatus).toBe('Failed');
  expect(done.failureReasons).toEqual(['the archive password was sealed under another SECRETS_KEY and cannot be opened; start the job again']);
  const job = await api.ctx.queues.exports.getJob(created.body.exportId);
  expect([job?.attemptsMade, await job?.getState()]).toEqual([1, 'failed']);
});

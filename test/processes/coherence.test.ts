import { demoBot } from '../support/fixtures';
import { call, createBotWith, newTenant, startApi, type TestApi, token, useApiAndWorker, waitForExport } from '../support/harness';

// Two apis, each with its own record cache and change feed (as two replicas
// have), and a worker. What one api or the worker changes, the other shows
// within the 100 ms bound — also when its notification channel is cut.
const stack = useApiAndWorker();
let other: TestApi;
beforeAll(async () => {
  other = await startApi();
});
afterAll(() => other.close());

const BOUND_MS = 100;
const afterBound = () => new Promise((r) => setTimeout(r, BOUND_MS));
const describeOn = async (api: TestApi, bearer: string, exportId: string) => (await call(api, 'GET', `/exports/${exportId}/`, { token: bearer })).body;

async function completedExport(bearer: string): Promise<string> {
  const botId = await createBotWith(stack.api, bearer, demoBot());
  const created = await call(stack.api, 'PUT', '/exports/', {
    token: bearer,
    body: { resourceSpecification: { botExportSpecification: { botId, botVersion: 'DRAFT' } }, fileFormat: 'BotportJson' },
  });
  await waitForExport(stack.api, bearer, created.body.exportId);
  return created.body.exportId;
}

test('an update and a delete through one api, and the worker finishing, are seen through the other within 100 ms', async () => {
  const bearer = token(newTenant());
  const exportId = await completedExport(bearer);
  const before = await describeOn(other, bearer, exportId); // now in the other api's cache
  expect(before.exportStatus).toBe('Completed');

  await stack.worker.pause();
  expect((await call(stack.api, 'PUT', `/exports/${exportId}/`, { token: bearer, body: { filePassword: 'a-new-password-1' } })).status).toBe(202);
  await afterBound();
  expect((await describeOn(other, bearer, exportId)).exportStatus).toBe('InProgress');

  stack.worker.resume(); // the worker rebuilds it: Completed again, seen through the other api
  for (let i = 0; (await describeOn(stack.api, bearer, exportId)).exportStatus !== 'Completed'; i++) {
    if (i > 300) throw new Error('the rebuild did not finish');
    await new Promise((r) => setTimeout(r, 20));
  }
  await afterBound();
  const rebuilt = await describeOn(other, bearer, exportId);
  expect([rebuilt.exportStatus, rebuilt.lastUpdatedDateTime > before.lastUpdatedDateTime]).toEqual(['Completed', true]);

  await stack.worker.pause();
  expect((await call(stack.api, 'DELETE', `/exports/${exportId}/`, { token: bearer })).status).toBe(202);
  await afterBound();
  expect((await describeOn(other, bearer, exportId)).exportStatus).toBe('Deleting');
  stack.worker.resume();
});

test('with its notification channel cut, an api reads the database instead of serving what it holds', async () => {
  const bearer = token(newTenant());
  const exportId = await completedExport(bearer);
  expect((await describeOn(other, bearer, exportId)).notes).toBeUndefined();
  // Cut every change feed's connection, then change the record behind the apis' backs.
  await stack.api.ctx.db.query(
    `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'botport-change-feed' AND datname = current_database()`,
  );
  await stack.api.ctx.db.query(`UPDATE export_jobs SET notes = '["changed while the channel was down"]' WHERE export_id = $1`, [exportId]);
  await afterBound();
  expect((await describeOn(other, bearer, exportId)).notes).toEqual(['changed while the channel was down']);
  // The feed comes back by itself, and a change is pushed again.
  for (let i = 0; ; i++) {
    const { rows } = await stack.api.ctx.db.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'botport-change-feed' AND datname = current_database()`,
    );
    if (rows[0].n >= 2) break;
    if (i > 100) throw new Error('the change feeds did not reconnect');
    await new Promise((r) => setTimeout(r, 50));
  }
  await describeOn(other, bearer, exportId);
  await stack.api.ctx.db.query(`UPDATE export_jobs SET notes = '["and again"]' WHERE export_id = $1`, [exportId]);
  await afterBound();
  expect((await describeOn(other, bearer, exportId)).notes).toEqual(['and again']);
});

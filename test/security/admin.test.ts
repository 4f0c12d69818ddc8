import { execFile } from 'node:child_process';
import path from 'node:path';
import jwt from 'jsonwebtoken';
import { ALL_SCOPES, mintToken, secretsKey } from '@botport/shared';
import { OperatorSessions, SESSION_COOKIE } from '../../api/src/surfaces/admin/operator-session';
import { demoBot } from '../support/fixtures';
import { call, createBotWith, newTenant, startImport, token, waitForExport, waitForImport } from '../support/harness';
import { type Service, startService, stopServices } from '../support/processes';

/**
 * Operations across tenants: a tenant's `admin` sees and retries its own
 * tenant's jobs only; the operator sees and acts on every tenant's (the
 * queue dashboard, pausing the shared queues, counts, /metrics). Real api
 * and worker processes, two tenants with jobs of their own.
 */
let api: Service;
let worker: Service;
const a = newTenant();
const b = newTenant();
const adminA = token(a, { scopes: ['admin'] });
const userB = token(b);
const operator = token(a, { scopes: ['operator'] });
let failedImportB: string;
let exportB: string;

beforeAll(async () => {
  [api, worker] = await Promise.all([startService('api'), startService('worker')]);
  // B: a completed export and an import that failed with a reason naming B's bot.
  const botB = await createBotWith(api, userB, demoBot('SecretBotOfB'));
  const created = await call(api, 'POST', '/v1/exports', { token: userB, body: { botId: botB } });
  exportB = created.body.exportId;
  expect((await waitForExport(api, userB, exportB)).exportStatus).toBe('Completed');
  const started = await startImport(api, userB, Buffer.from('not a zip of B'), { botImportSpecification: { botName: 'SecretBotOfB' } });
  failedImportB = started.body.importId;
  expect((await waitForImport(api, userB, failedImportB)).importStatus).toBe('Failed');
}, 120000);
afterAll(() => stopServices([api, worker].filter(Boolean)));

const board = (path: string, options: Parameters<typeof call>[3] = {}) => call(api, 'GET', `/admin/board/api${path}`, options);

describe("a tenant's admin sees its own tenant only", () => {
  test('/admin/queues counts the tenant’s own jobs, from its records: none of B’s', async () => {
    const res = await call(api, 'GET', '/admin/queues', { token: adminA });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      scope: 'tenant',
      tenant: a,
      queues: [
        { queue: 'exports', waiting: 0, active: 0, failed: 0, delayed: 0, completed: 0 },
        { queue: 'imports', waiting: 0, active: 0, failed: 0, delayed: 0, completed: 0 },
      ],
    });
    const own = await call(api, 'GET', '/admin/queues', { token: token(b, { scopes: ['admin'] }) });
    expect(own.body.queues).toEqual([
      { queue: 'exports', waiting: 0, active: 0, failed: 0, delayed: 0, completed: 1 },
      { queue: 'imports', waiting: 0, active: 0, failed: 1, delayed: 0, completed: 0 },
    ]);
  });

  test('the dashboard, its API and its session are refused (403): it shows and changes every tenant’s jobs', async () => {
    expect((await board('/queues?activeQueue=imports&status=failed', { token: adminA })).status).toBe(403);
    expect((await call(api, 'PUT', '/admin/board/api/queues/exports/pause', { token: adminA })).status).toBe(403);
    expect((await call(api, 'PUT', '/admin/board/api/queues/imports/clean/failed', { token: adminA })).status).toBe(403);
    expect((await call(api, 'POST', '/admin/session', { token: adminA })).status).toBe(403);
    expect((await call(api, 'POST', '/admin/sweep', { token: adminA, body: { dryRun: true } })).status).toBe(403);
  });

  test('retrying another tenant’s job is not found (404), as if it did not exist', async () => {
    const res = await call(api, 'POST', `/admin/jobs/${failedImportB}/retry`, { token: adminA });
    expect([res.status, res.body.detail]).toEqual([404, `no export or import ${failedImportB} was found`]);
  });

  test('`botport queue stats` with the tenant admin’s token shows only its tenant', async () => {
    const bin = path.resolve(__dirname, '../../cli/bin/botport.js');
    const run = await new Promise<{ code: number; stdout: string }>((resolve) =>
      execFile(process.execPath, [bin, '--url', api.url, '--token', adminA, 'queue', 'stats'], (err, stdout) =>
        resolve({ code: err ? Number((err as { code?: number }).code) : 0, stdout }),
      ),
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`(the jobs of tenant ${a})`);
    expect(run.stdout).toMatch(/^imports\s+0\s+0\s+0\s+0\s+0$/m);
  });
});

describe('the operator sees and acts on every tenant', () => {
  test('/admin/queues counts every tenant’s jobs, from the queues', async () => {
    const res = await call(api, 'GET', '/admin/queues', { token: operator });
    expect(res.body.scope).toBe('all');
    expect(res.body.queues.find((q: { queue: string }) => q.queue === 'imports').failed).toBeGreaterThanOrEqual(1);
  });

  test('the dashboard lists B’s failed import and can pause and resume the shared queue', async () => {
    const failed = await board('/queues?activeQueue=imports&status=failed', { token: operator });
    expect(failed.status).toBe(200);
    expect(JSON.stringify(failed.body)).toContain(failedImportB);
    expect((await call(api, 'PUT', '/admin/board/api/queues/exports/pause', { token: operator })).status).toBe(200);
    const paused = await board('/queues', { token: operator });
    expect(paused.body.queues.find((q: { name: string }) => q.name === 'exports').isPaused).toBe(true);
    expect((await call(api, 'PUT', '/admin/board/api/queues/exports/resume', { token: operator })).status).toBe(200);
  });

  test('it may retry any tenant’s job', async () => {
    const res = await call(api, 'POST', `/admin/jobs/${failedImportB}/retry`, { token: operator });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ kind: 'import', id: failedImportB, action: 'restarted' });
    expect((await waitForImport(api, userB, failedImportB)).importStatus).toBe('Failed');
  });
});

describe('the dashboard session', () => {
  const sessions = new OperatorSessions(secretsKey({ JWT_SECRET: process.env.JWT_SECRET }));

  test('is its own signed value for /admin/board: not the JWT, no bearer anywhere, an hour at most', async () => {
    const res = await call(api, 'POST', '/admin/session', { token: token(a, { scopes: ['operator'], expiresInSeconds: 7200 }) });
    expect(res.status).toBe(204);
    const setCookie = res.headers.get('set-cookie')!;
    expect(setCookie).toMatch(
      new RegExp(`^${SESSION_COOKIE}=v1\\.\\d+\\.[\\w-]+\\.[\\w-]+; Max-Age=3600; Path=/admin/board; Expires=.+; HttpOnly; SameSite=Strict$`),
    );
    const cookie = setCookie.split(';')[0];
    const value = cookie.slice(SESSION_COOKIE.length + 1);
    expect(jwt.decode(value)).toBeNull();
    expect((await call(api, 'GET', '/admin/board/', { headers: { cookie } })).status).toBe(200);
    // Nowhere else, not as a bearer, and it cannot open another session.
    expect((await call(api, 'GET', '/v1/bots', { token: value })).status).toBe(401);
    expect((await call(api, 'GET', '/admin/queues', { headers: { cookie } })).status).toBe(401);
    expect((await call(api, 'POST', '/admin/session', { headers: { cookie } })).status).toBe(401);
  });

  test('an expired, altered or malformed cookie is refused (401), never a 5xx', async () => {
    const principal = { subject: 'op', tenantId: a, scopes: new Set(['operator']), expiresAt: new Date(Date.now() + 3600_000) };
    const expired = sessions.issue(principal, Date.now() - 2 * 3600_000).value;
    const good = sessions.issue(principal).value;
    const altered = good.replace(/\.(\d+)\./, (_m, n: string) => `.${Number(n) + 3600}.`);
    for (const value of [expired, altered, '%E0%A4%A', 'v1.1.x.y', '']) {
      const res = await call(api, 'GET', '/admin/board/api/queues', { headers: { cookie: `${SESSION_COOKIE}=${value}` } });
      expect([value, res.status]).toEqual([value, 401]);
    }
    expect((await call(api, 'GET', '/admin/board/api/queues', { headers: { cookie: `${SESSION_COOKIE}=${good}` } })).status).toBe(200);
  });

  test('a token whose expiry is no date (exp 1e300) is refused (401) before any session', async () => {
    const forged = jwt.sign({ sub: 'op', tenant: a, scope: 'operator', exp: 1e300 }, process.env.JWT_SECRET as string, { algorithm: 'HS256' });
    const res = await call(api, 'POST', '/admin/session', { token: forged });
    expect([res.status, res.body.detail]).toEqual([401, 'the token expiry (exp) is not a usable date']);
  });
});

test('/metrics (counts across tenants) wants the operator: no bearer and a tenant admin are 401', async () => {
  expect((await call(api, 'GET', '/metrics')).status).toBe(401);
  expect((await call(api, 'GET', '/metrics', { token: adminA })).status).toBe(401);
  expect((await call(api, 'GET', '/metrics', { token: mintToken(process.env.JWT_SECRET as string, { sub: 'x', tenant: b, scope: 'admin' }) })).status).toBe(
    401,
  );
  const res = await call(api, 'GET', '/metrics', { token: token(a, { scopes: ALL_SCOPES }) });
  expect(res.status).toBe(200);
  expect(res.text).toContain('botport_jobs{');
});

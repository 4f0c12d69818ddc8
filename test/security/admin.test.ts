import { call, newTenant, startApi, type TestApi, token } from '../support/harness';

/** /admin: the admin scope, by bearer header or by the dashboard's cookie (and only that cookie's path). */
let api: TestApi;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.close());

describe('/admin and the queue dashboard', () => {
  test('no token 401, a token without the admin scope 403, on the API and the dashboard alike', async () => {
    const reader = token(newTenant(), { scopes: ['exports:read', 'exports:write'] });
    for (const path of ['/admin/queues', '/admin/board/', '/admin/board/api/queues']) {
      expect([path, (await call(api, 'GET', path)).status]).toEqual([path, 401]);
      expect([path, (await call(api, 'GET', path, { token: reader })).status]).toEqual([path, 403]);
    }
    expect((await call(api, 'POST', '/admin/session', { token: reader })).status).toBe(403);
  });

  test('POST /admin/session sets an HttpOnly, SameSite=Strict cookie for /admin that opens the dashboard', async () => {
    const admin = token(newTenant(), { scopes: ['admin'], expiresInSeconds: 600 });
    const session = await call(api, 'POST', '/admin/session', { token: admin });
    expect(session.status).toBe(204);
    const setCookie = session.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^botport_admin=[\w.-]+; Max-Age=(59\d|600); Path=\/admin; Expires=.+; HttpOnly; SameSite=Strict$/);
    const cookie = setCookie.split(';')[0];
    const page = await call(api, 'GET', '/admin/board/', { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(page.text).toContain('<title>Bull Dashboard</title>');
    const queues = await call(api, 'GET', '/admin/board/api/queues', { headers: { cookie } });
    expect(queues.body.queues.map((q: { name: string }) => q.name).sort()).toEqual(['exports', 'imports', 'maintenance']);
    // The cookie is for the dashboard and the admin API, nowhere else; and it cannot mint another session.
    expect((await call(api, 'GET', '/v1/bots', { headers: { cookie } })).status).toBe(401);
    expect((await call(api, 'POST', '/admin/session', { headers: { cookie } })).status).toBe(401);
  });
});

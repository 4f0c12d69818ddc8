import { CachedCredentials } from '@botport/shared';
import { call, createBotWith, newTenant, startApi, type TestApi, token } from '../support/harness';
import { createCredential } from '../support/credentials';
import { demoBot } from '../support/fixtures';

/** `/v1/credentials`: who may manage them, what is shown once, and the per-process cache sign-ins read through. */
let api: TestApi;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.close());

test('create shows the secret once; list and read never do; rotate gives a new one; revoke keeps the record', async () => {
  const admin = token(newTenant());
  const created = await createCredential(api, admin, { name: '  CI  ' });
  expect(created).toMatchObject({
    name: 'CI',
    status: 'Active',
    scopes: ['bots:read', 'bots:write', 'exports:read', 'exports:write', 'imports:read', 'imports:write', 'backup'],
  });
  expect(created.signIn.xenioo).toEqual({ AccountAPIKey: `${created.credentialId}.${created.secret}` });
  const listed = await call(api, 'GET', '/v1/credentials', { token: admin });
  expect(listed.body.credentials.map((c: { credentialId: string }) => c.credentialId)).toEqual([created.credentialId]);
  expect(listed.text).not.toContain(created.secret);
  expect((await call(api, 'GET', `/v1/credentials/${created.credentialId}`, { token: admin })).text).not.toContain(created.secret);
  const { rows } = await api.ctx.db.query('SELECT * FROM api_credentials WHERE credential_id = $1', [created.credentialId]);
  expect(JSON.stringify(rows)).not.toContain(created.secret);

  const rotated = await call(api, 'POST', `/v1/credentials/${created.credentialId}/rotate`, { token: admin });
  expect([rotated.status, rotated.body.credentialId, rotated.body.secret === created.secret]).toEqual([200, created.credentialId, false]);
  const revoked = await call(api, 'DELETE', `/v1/credentials/${created.credentialId}`, { token: admin });
  expect([revoked.status, revoked.body.status, typeof revoked.body.revokedAt]).toEqual([200, 'Revoked', 'string']);
  expect((await call(api, 'DELETE', `/v1/credentials/${created.credentialId}`, { token: admin })).status).toBe(200);
  expect((await call(api, 'POST', `/v1/credentials/${created.credentialId}/rotate`, { token: admin })).status).toBe(409);
});

test('only the tenant admin manages credentials, for its own bots, with tenant scopes only; pages follow a cursor', async () => {
  const tenant = newTenant();
  const admin = token(tenant);
  const botId = await createBotWith(api, admin, demoBot());
  const refuse = async (t: string, body: unknown, status: number, detail?: RegExp) => {
    const res = await call(api, 'POST', '/v1/credentials', { token: t, body });
    expect([res.status, res.headers.get('content-type')]).toEqual([status, expect.stringContaining('application/problem+json')]);
    if (detail) expect(res.body.detail).toMatch(detail);
  };
  await refuse(token(tenant, { scopes: ['bots:read', 'exports:write'] }), { name: 'x' }, 403, /'admin' scope/);
  await refuse(token(tenant, { bot: botId }), { name: 'x' }, 403, /bot token/);
  await refuse(admin, { name: 'x', scopes: ['operator'] }, 400);
  await refuse(admin, { name: 'x', scopes: [] }, 400);
  await refuse(admin, { name: '' }, 400);
  await refuse(admin, { name: 'x', botId: 'ZZZZZZZZZZ' }, 404, /bot ZZZZZZZZZZ/);
  await refuse(token(newTenant()), { name: 'x', botId }, 404);
  expect((await call(api, 'GET', '/v1/credentials', { token: token(tenant, { scopes: ['bots:read'] }) })).status).toBe(403);

  const ids: string[] = [];
  for (let i = 0; i < 3; i++) ids.unshift((await createCredential(api, admin, { name: `key ${i}`, botId })).credentialId);
  const first = await call(api, 'GET', '/v1/credentials?limit=2', { token: admin });
  const second = await call(api, 'GET', `/v1/credentials?limit=2&cursor=${first.body.nextCursor}`, { token: admin });
  expect([...first.body.credentials, ...second.body.credentials].map((c: { credentialId: string }) => c.credentialId)).toEqual(ids);
  expect(second.body.nextCursor).toBeUndefined();
  // Another tenant sees none of them.
  expect((await call(api, 'GET', '/v1/credentials', { token: token(newTenant()) })).body.credentials).toEqual([]);
  expect((await call(api, 'DELETE', `/v1/credentials/${ids[0]}`, { token: token(newTenant()) })).status).toBe(404);
});

test('the sign-in cache keeps a lookup one second at most, shares concurrent lookups, and forgets failures', async () => {
  let now = 0;
  let reads = 0;
  let fail = false;
  const store = {
    findActive: async (id: string) => {
      reads++;
      if (fail) throw new Error('database away');
      return { credentialId: id, tenantId: 't', scopes: [], secret: 's', secretVersion: reads };
    },
  };
  const cache = new CachedCredentials(store, 1000, () => now);
  const [a, b] = await Promise.all([cache.find('K'), cache.find('K')]);
  expect([reads, a, b]).toEqual([1, a, a]);
  now = 999;
  expect((await cache.find('K'))?.secretVersion).toBe(1);
  now = 1000;
  expect((await cache.find('K'))?.secretVersion).toBe(2);
  cache.invalidate('K');
  expect((await cache.find('K'))?.secretVersion).toBe(3);
  fail = true;
  cache.invalidate();
  await expect(cache.find('K')).rejects.toThrow('database away');
  fail = false;
  expect((await cache.find('K'))?.secretVersion).toBe(5);
});

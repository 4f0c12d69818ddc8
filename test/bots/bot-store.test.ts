import { call, newTenant, startApi, type TestApi, token } from '../support/harness';
import { canonical, demoBot } from '../support/fixtures';

let api: TestApi;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.close());

async function createBot(tenant: string, name: string) {
  const res = await call(api, 'POST', '/v1/bots', { token: token(tenant), body: { name, description: 'test bot' } });
  expect(res.status).toBe(201);
  return res.body.botId as string;
}

describe('native bot store', () => {
  test('a bot created, given a draft, published and read back returns the same definition', async () => {
    const tenant = newTenant();
    const botId = await createBot(tenant, 'PizzaBot');
    expect(botId).toMatch(/^[0-9A-Za-z]{10}$/);
    const doc = demoBot();
    const put = await call(api, 'PUT', `/v1/bots/${botId}/versions/DRAFT`, { token: token(tenant), body: doc });
    expect(put.status).toBe(200);
    expect(put.body.components).toBe(doc.components.length);

    const pub = await call(api, 'POST', `/v1/bots/${botId}/versions`, { token: token(tenant), body: {} });
    expect(pub.status).toBe(201);
    expect(pub.body.version).toBe('1');
    expect(pub.headers.get('location')).toBe(`/v1/bots/${botId}/versions/1`);

    for (const version of ['1', 'DRAFT']) {
      const got = await call(api, 'GET', `/v1/bots/${botId}/versions/${version}`, { token: token(tenant) });
      expect(got.status).toBe(200);
      expect(got.headers.get('content-type')).toMatch(/application\/json/);
      expect(got.body.bot).toEqual(doc.bot);
      expect(got.body.components).toEqual(canonical(doc.components));
    }

    const versions = await call(api, 'GET', `/v1/bots/${botId}/versions`, { token: token(tenant) });
    expect(versions.body.versions.map((v: { version: string }) => v.version)).toEqual(['DRAFT', '1']);
  });

  test('a published version is immutable: later draft edits do not reach it', async () => {
    const tenant = newTenant();
    const botId = await createBot(tenant, 'Immutable');
    await call(api, 'PUT', `/v1/bots/${botId}/versions/DRAFT`, { token: token(tenant), body: demoBot('Immutable') });
    await call(api, 'POST', `/v1/bots/${botId}/versions`, { token: token(tenant) });
    const upd = await call(api, 'PUT', `/v1/bots/${botId}/versions/DRAFT/components/action/ChargeCard`, {
      token: token(tenant),
      body: { body: { service: 'payments-v2' } },
    });
    expect(upd.status).toBe(200);
    const v1 = await call(api, 'GET', `/v1/bots/${botId}/versions/1`, { token: token(tenant) });
    const draft = await call(api, 'GET', `/v1/bots/${botId}/versions/DRAFT`, { token: token(tenant) });
    const charge = (doc: { components: { kind: string; name: string; body: unknown }[] }) =>
      doc.components.find((c) => c.kind === 'action' && c.name === 'ChargeCard')?.body;
    expect(charge(v1.body)).toEqual({ service: 'payments', method: 'POST' });
    expect(charge(draft.body)).toEqual({ service: 'payments-v2' });
  });

  test('an invalid document is refused with problem+json naming each bad path, and changes nothing', async () => {
    const tenant = newTenant();
    const botId = await createBot(tenant, 'Strict');
    const bad = {
      formatVersion: 1,
      bot: { name: 'Strict' },
      components: [
        { kind: 'locale', locale: 'en_US', name: 'en_US', body: {} },
        { kind: 'wizard', name: 'x', body: {} },
        { kind: 'intent', name: 'NoLocale', body: {} },
        { kind: 'dialog', locale: 'en_US', name: 'Scoped', body: {} },
        { kind: 'intent', locale: 'en_US', name: '', body: {} },
        { kind: 'intent', locale: 'en_US', name: 'Order', body: { slots: [{ name: 'size', slotTypeName: 'Missing' }] } },
        { kind: 'intent', locale: 'en_US', name: 'Order', body: {} },
        { kind: 'dialog', name: 'A', body: {}, refs: [{ kind: 'action', name: 'Ghost' }] },
        { kind: 'intent', locale: 'fr_FR', name: 'Bonjour', body: {} },
      ],
    };
    const res = await call(api, 'PUT', `/v1/bots/${botId}/versions/DRAFT`, { token: token(tenant), body: bad });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 400, title: 'Validation' });
    const paths = res.body.errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        '$.components[1].kind',
        '$.components[2].locale',
        '$.components[3].locale',
        '$.components[4].name',
        '$.components[6].name',
        '$.components[5]',
        '$.components[7]',
        '$.components[8]',
      ]),
    );
    expect(res.body.errors.find((e: { path: string }) => e.path === '$.components[5]').message).toMatch(/slotType 'Missing'/);
    const draft = await call(api, 'GET', `/v1/bots/${botId}/versions/DRAFT`, { token: token(tenant) });
    expect(draft.body.components).toEqual([]);
  });

  test('a component cannot be removed while another depends on it, nor added with a dangling reference', async () => {
    const tenant = newTenant();
    const botId = await createBot(tenant, 'Refs');
    await call(api, 'PUT', `/v1/bots/${botId}/versions/DRAFT`, { token: token(tenant), body: demoBot('Refs') });
    const del = await call(api, 'DELETE', `/v1/bots/${botId}/versions/DRAFT/components/slotType/PizzaSize?locale=en_US`, { token: token(tenant) });
    expect(del.status).toBe(409);
    expect(del.body.detail).toMatch(/OrderPizza/);
    const dangling = await call(api, 'PUT', `/v1/bots/${botId}/versions/DRAFT/components/dialog/New`, {
      token: token(tenant),
      body: { body: {}, refs: [{ kind: 'action', name: 'Nope' }] },
    });
    expect(dangling.status).toBe(400);
    const ok = await call(api, 'DELETE', `/v1/bots/${botId}/versions/DRAFT/components/customDashboard/Orders`, { token: token(tenant) });
    expect(ok.status).toBe(204);
    const again = await call(api, 'DELETE', `/v1/bots/${botId}/versions/DRAFT/components/customDashboard/Orders`, { token: token(tenant) });
    expect(again.status).toBe(404);
  });

  test('bot names are unique per tenant, and listing pages with a cursor', async () => {
    const tenant = newTenant();
    for (const n of ['c', 'a', 'e', 'b', 'd']) await createBot(tenant, n);
    const dup = await call(api, 'POST', '/v1/bots', { token: token(tenant), body: { name: 'a' } });
    expect(dup.status).toBe(409);
    const names: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await call(api, 'GET', `/v1/bots?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token: token(tenant) });
      expect(page.status).toBe(200);
      expect(page.body.bots.length).toBeLessThanOrEqual(2);
      names.push(...page.body.bots.map((b: { name: string }) => b.name));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(names).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  test('deleting a bot removes it and its versions', async () => {
    const tenant = newTenant();
    const botId = await createBot(tenant, 'Doomed');
    expect((await call(api, 'DELETE', `/v1/bots/${botId}`, { token: token(tenant) })).status).toBe(204);
    expect((await call(api, 'GET', `/v1/bots/${botId}`, { token: token(tenant) })).status).toBe(404);
    expect((await call(api, 'GET', `/v1/bots/${botId}/versions/DRAFT`, { token: token(tenant) })).status).toBe(404);
  });
});

describe('version outline', () => {
  test("names a version's locales and tasks and counts its components, for the console's export options", async () => {
    const tenant = newTenant();
    const botId = await createBot(tenant, 'Outlined');
    expect((await call(api, 'PUT', `/v1/bots/${botId}/versions/DRAFT`, { token: token(tenant), body: demoBot('Outlined') })).status).toBe(200);
    const res = await call(api, 'GET', `/v1/bots/${botId}/versions/DRAFT/outline`, { token: token(tenant) });
    expect(res.status).toBe(200);
    expect(res.body.locales).toEqual(['de_DE', 'en_US']);
    expect(res.body.tasks).toEqual({
      dialogs: ['Checkout', 'Receipt', 'Survey', 'TrackOrder'],
      alerts: ['DeliveryDelayed'],
      actions: ['ChargeCard', 'LookupOrder'],
    });
    expect(res.body.counts).toMatchObject({ intent: 6, slotType: 4, dialog: 4, locale: 2 });
    expect(res.body.categories.tasks).toEqual(['botTask', 'knowledgeGraph', 'smallTalk']);
    expect((await call(api, 'GET', `/v1/bots/${botId}/versions/7/outline`, { token: token(tenant) })).status).toBe(404);
    expect((await call(api, 'GET', `/v1/bots/${botId}/versions/latest/outline`, { token: token(tenant) })).status).toBe(400);
  });
});

describe('tenancy and scopes on the bot store', () => {
  test('another tenant gets 404 on every bot route; no token 401; a read-only token 403 on writes', async () => {
    const owner = newTenant();
    const botId = await createBot(owner, 'Private');
    const stranger = token(newTenant());
    for (const [method, path] of [
      ['GET', `/v1/bots/${botId}`],
      ['DELETE', `/v1/bots/${botId}`],
      ['GET', `/v1/bots/${botId}/versions`],
      ['GET', `/v1/bots/${botId}/versions/DRAFT`],
      ['GET', `/v1/bots/${botId}/versions/DRAFT/outline`],
      ['POST', `/v1/bots/${botId}/versions`],
    ] as const) {
      expect([method, path, (await call(api, method, path, { token: stranger })).status]).toEqual([method, path, 404]);
    }
    const put = await call(api, 'PUT', `/v1/bots/${botId}/versions/DRAFT`, { token: stranger, body: demoBot('Private') });
    expect(put.status).toBe(404);
    expect((await call(api, 'GET', '/v1/bots', { token: stranger })).body.bots).toEqual([]);

    const anon = await call(api, 'GET', `/v1/bots/${botId}`);
    expect(anon.status).toBe(401);
    expect(anon.headers.get('content-type')).toMatch(/problem\+json/);

    const reader = token(owner, { scopes: ['bots:read'] });
    expect((await call(api, 'GET', `/v1/bots/${botId}`, { token: reader })).status).toBe(200);
    expect((await call(api, 'DELETE', `/v1/bots/${botId}`, { token: reader })).status).toBe(403);
    expect((await call(api, 'POST', '/v1/bots', { token: reader, body: { name: 'x' } })).status).toBe(403);
  });

  test('a bot token reaches only its own bot', async () => {
    const tenant = newTenant();
    const mine = await createBot(tenant, 'Mine');
    const other = await createBot(tenant, 'Other');
    const botToken = token(tenant, { bot: mine });
    expect((await call(api, 'GET', `/v1/bots/${mine}`, { token: botToken })).status).toBe(200);
    expect((await call(api, 'GET', `/v1/bots/${other}`, { token: botToken })).status).toBe(404);
    const list = await call(api, 'GET', '/v1/bots', { token: botToken });
    expect(list.body.bots.map((b: { botId: string }) => b.botId)).toEqual([mine]);
  });
});

describe('operations', () => {
  test('healthz and readyz answer, and a request id is echoed', async () => {
    expect((await call(api, 'GET', '/healthz')).status).toBe(200);
    const ready = await call(api, 'GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.checks).toEqual({ postgres: 'ok', redis: 'ok', s3: 'ok' });
    const res = await call(api, 'GET', '/healthz', { headers: { 'x-request-id': 'abc-123' } });
    expect(res.headers.get('x-request-id')).toBe('abc-123');
    const generated = await call(api, 'GET', '/healthz', { headers: { 'x-request-id': 'bad id\twith junk' } });
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('malformed JSON and oversize bodies get clear problem answers', async () => {
    const tenant = newTenant();
    const bad = await call(api, 'POST', '/v1/bots', { token: token(tenant), body: '{"name": ' });
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toMatch(/not valid JSON/);
    const small = await startApi({ BODY_LIMIT: '1kb' });
    try {
      const big = await call(small, 'POST', '/v1/bots', { token: token(tenant), body: { name: 'x'.repeat(5000) } });
      expect(big.status).toBe(413);
    } finally {
      await small.close();
    }
  });
});

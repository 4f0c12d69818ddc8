import { call, createBotWith, newTenant, startApi, token, useApiAndWorker } from '../support/harness';
import { canonical, demoBot } from '../support/fixtures';
import { unzip } from '../support/zip';

const stack = useApiAndWorker({ EDDI_EXPORT_WAIT_MS: '15000' });

describe('EDDI surface', () => {
  test('POST /backup/export → 200 with Location → GET redirects to the archive', async () => {
    const bearer = token(newTenant());
    const botId = await createBotWith(stack.api, bearer, demoBot(), true);
    const res = await call(stack.api, 'POST', `/backup/export/${botId}?botVersion=1`, { token: bearer });
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    const location = res.headers.get('location')!;
    expect(location).toMatch(new RegExp(`^http://botport\\.test/backup/export/${botId}-1-[0-9A-Za-z]{10}\\.zip$`));

    const path = new URL(location).pathname;
    const redirect = await fetch(stack.api.url + path, { headers: { authorization: `Bearer ${bearer}` }, redirect: 'manual' });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).toMatch(/X-Amz-Expires=300/);
    const archive = await fetch(redirect.headers.get('location')!);
    // EDDI's own backup zip: a bot built in botport gets a bot file of its own; what EDDI has no place for is noted.
    const files = await unzip(Buffer.from(await archive.arrayBuffer()));
    const botFile = [...files.keys()].find((n) => /^[0-9a-f]{24}\.bot\.json$/.test(n))!;
    expect(JSON.parse(files.get(botFile)!.toString())).toEqual({ packages: [], channels: [] });
    expect(JSON.parse(files.get(botFile.replace('.bot.json', '.descriptor.json'))!.toString())).toMatchObject({ name: 'PizzaBot', deleted: false });
    const exportId = /-([0-9A-Za-z]{10})\.zip$/.exec(path)![1];
    const described = await call(stack.api, 'GET', `/v1/exports/${exportId}`, { token: bearer });
    expect(described.body).toMatchObject({ fileFormat: 'EddiZip', notes: expect.arrayContaining(["dialog 'Checkout' has no EDDI equivalent"]) });

    expect((await call(stack.api, 'GET', `/backup/export/${botId}-1-ZZZZZZZZZZ.zip`, { token: bearer })).status).toBe(404);
    expect((await call(stack.api, 'GET', path, { token: token(newTenant()) })).status).toBe(404);
  });

  test("fileFormat=BotportJson asks for botport's lossless archive instead", async () => {
    const bearer = token(newTenant());
    const botId = await createBotWith(stack.api, bearer, demoBot(), true);
    const res = await call(stack.api, 'POST', `/backup/export/${botId}?botVersion=1&fileFormat=BotportJson`, { token: bearer });
    expect(res.status).toBe(200);
    const path = new URL(res.headers.get('location')!).pathname;
    const redirect = await fetch(stack.api.url + path, { headers: { authorization: `Bearer ${bearer}` }, redirect: 'manual' });
    const files = await unzip(Buffer.from(await (await fetch(redirect.headers.get('location')!)).arrayBuffer()));
    expect(JSON.parse(files.get('manifest.json')!.toString())).toMatchObject({ botVersion: '1', bot: { botId } });
    const wrong = await call(stack.api, 'POST', `/backup/export/${botId}?botVersion=1&fileFormat=TSV`, { token: bearer });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toMatch(/fileFormat/);
  });

  test('past the wait it answers 202 with the Location and Retry-After; GET answers 202 while building', async () => {
    const slow = await startApi({ EDDI_EXPORT_WAIT_MS: '0' });
    const bearer = token(newTenant());
    try {
      const botId = await createBotWith(slow, bearer, demoBot());
      await stack.worker.pause();
      const res = await call(slow, 'POST', `/backup/export/${botId}?botVersion=DRAFT`, { token: bearer });
      expect(res.status).toBe(202);
      expect(res.headers.get('retry-after')).toBe('2');
      const path = new URL(res.headers.get('location')!).pathname;
      const building = await call(slow, 'GET', path, { token: bearer });
      expect(building.status).toBe(202);
      expect(building.headers.get('retry-after')).toBe('2');
      stack.worker.resume();
      let status = 202;
      for (let i = 0; i < 200 && status === 202; i++) {
        status = (await fetch(slow.url + path, { headers: { authorization: `Bearer ${bearer}` }, redirect: 'manual' })).status;
        if (status === 202) await new Promise((r) => setTimeout(r, 50));
      }
      expect(status).toBe(302);
      const bad = await call(slow, 'POST', `/backup/export/${botId}?botVersion=latest`, { token: bearer });
      expect(bad.status).toBe(400);
      expect(bad.body.error).toMatch(/botVersion/);
    } finally {
      stack.worker.resume();
      await slow.close();
    }
  });
});

describe('Xenioo surface', () => {
  test('backup 200, a second call 429 with Retry-After near 3600, restore/overwrite round-trips to an identical definition', async () => {
    const tenant = newTenant();
    const doc = demoBot();
    const botId = await createBotWith(stack.api, token(tenant), doc);
    const botToken = token(tenant, { bot: botId, scopes: ['backup'] });

    const backup = await call(stack.api, 'GET', '/bots/backup', { token: botToken, headers: { 'content-type': 'application/json' } });
    expect(backup.status).toBe(200);
    expect(backup.body).toMatchObject({ botId, name: 'PizzaBot', definition: { formatVersion: 1, bot: doc.bot } });
    expect(backup.body.definition.components).toEqual(canonical(doc.components));

    const again = await call(stack.api, 'GET', '/bots/backup', { token: botToken });
    expect(again.status).toBe(429);
    const retryAfter = Number(again.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(3590);
    expect(retryAfter).toBeLessThanOrEqual(3600);

    // The draft changes, then the backup restores it exactly.
    await call(stack.api, 'DELETE', `/v1/bots/${botId}/versions/DRAFT/components/customDashboard/Orders`, { token: token(tenant) });
    const restored = await call(stack.api, 'POST', '/bots/restore/overwrite', { token: botToken, body: backup.body });
    expect(restored.status).toBe(200);
    const draft = await call(stack.api, 'GET', `/v1/bots/${botId}/versions/DRAFT`, { token: token(tenant) });
    expect(draft.body).toEqual(backup.body.definition);
  });

  test('a restore that fails validation changes nothing and says what is wrong', async () => {
    const tenant = newTenant();
    const botId = await createBotWith(stack.api, token(tenant), demoBot());
    const botToken = token(tenant, { bot: botId, scopes: ['backup'] });
    const before = await call(stack.api, 'GET', `/v1/bots/${botId}/versions/DRAFT`, { token: token(tenant) });
    const broken = {
      ...before.body,
      components: [...before.body.components, { kind: 'dialog', name: 'Broken', body: {}, refs: [{ kind: 'action', name: 'Missing' }] }],
    };
    const res = await call(stack.api, 'POST', '/bots/restore/overwrite', { token: botToken, body: { botId, definition: broken } });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].message).toMatch(/action 'Missing'/);
    expect((await call(stack.api, 'GET', `/v1/bots/${botId}/versions/DRAFT`, { token: token(tenant) })).body).toEqual(before.body);
    const noDefinition = await call(stack.api, 'POST', '/bots/restore/overwrite', { token: botToken, body: { botId } });
    expect([noDefinition.status, noDefinition.body.message]).toEqual([400, expect.stringMatching(/definition/)]);
  });

  test('invalid token or missing permission 400, unknown bot 404', async () => {
    const tenant = newTenant();
    const botId = await createBotWith(stack.api, token(tenant), demoBot());
    expect((await call(stack.api, 'GET', '/bots/backup', { token: 'garbage' })).status).toBe(400);
    expect((await call(stack.api, 'GET', '/bots/backup')).status).toBe(400);
    expect((await call(stack.api, 'GET', '/bots/backup', { token: token(tenant, { bot: botId, scopes: ['bots:read'] }) })).status).toBe(400);
    expect((await call(stack.api, 'GET', '/bots/backup', { token: token(tenant) })).status).toBe(400);
    const unknown = await call(stack.api, 'GET', '/bots/backup', { token: token(tenant, { bot: 'ZZZZZZZZZZ', scopes: ['backup'] }) });
    expect(unknown.status).toBe(404);
    // Another tenant's bot is unknown too.
    expect((await call(stack.api, 'GET', '/bots/backup', { token: token(newTenant(), { bot: botId, scopes: ['backup'] }) })).status).toBe(404);
  });
});

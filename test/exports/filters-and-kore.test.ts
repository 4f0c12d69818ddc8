import { call, createBotWith, newTenant, token, useApiAndWorker, waitForExport } from '../support/harness';
import { demoBot } from '../support/fixtures';
import { download, unzip } from '../support/zip';

const stack = useApiAndWorker({ EXPORT_MAX_UNFINISHED_PER_TENANT: '100', EXPORT_CREATE_PER_MINUTE: '1000' });

type Comp = { kind: string; name: string; locale?: string; body: Record<string, unknown> };

async function nativeExport(bearer: string, botId: string, exportOptions: object, botVersion = 'DRAFT') {
  const created = await call(stack.api, 'POST', '/v1/exports', { token: bearer, body: { botId, botVersion, exportOptions } });
  expect(created.status).toBe(202);
  const done = await waitForExport(stack.api, bearer, created.body.exportId);
  expect(done.exportStatus).toBe('Completed');
  const files = await unzip((await download(done.downloadUrl)).data);
  const comps = [...files].filter(([n]) => n !== 'manifest.json' && n !== 'bot.json').map(([, d]) => JSON.parse(d.toString()) as Comp);
  return { comps, manifest: JSON.parse(files.get('manifest.json')!.toString()) };
}

const tasks = (comps: Comp[]) =>
  comps
    .filter((c) => ['dialog', 'alert', 'action'].includes(c.kind))
    .map((c) => `${c.kind}/${c.name}`)
    .sort();
const kinds = (comps: Comp[]) => [...new Set(comps.map((c) => c.kind))].sort();

describe('export filters (one implementation for every surface)', () => {
  let bearer: string;
  let botId: string;
  const doc = demoBot();
  beforeAll(async () => {
    bearer = token(newTenant());
    botId = await createBotWith(stack.api, bearer, doc);
  });

  test('a named dialog without dependents exports that task alone; with dependents its closure, cycles included', async () => {
    const alone = await nativeExport(bearer, botId, { subTasks: { dialogs: ['Checkout'] } });
    expect(tasks(alone.comps)).toEqual(['dialog/Checkout']);
    expect(alone.manifest.resolvedTasks).toEqual(['dialog/Checkout']);

    const closure = await nativeExport(bearer, botId, { subTasks: { dialogs: ['Checkout'] }, includeDependentTasks: true });
    // Checkout → ChargeCard, Receipt; Receipt ⇄ Survey (a cycle). TrackOrder, LookupOrder and the alert stay out.
    expect(tasks(closure.comps)).toEqual(['action/ChargeCard', 'dialog/Checkout', 'dialog/Receipt', 'dialog/Survey']);
    expect(closure.manifest.resolvedTasks).toEqual(['action/ChargeCard', 'dialog/Checkout', 'dialog/Receipt', 'dialog/Survey']);
    // Everything that is not a task is untouched.
    expect(closure.comps.filter((c) => !['dialog', 'alert', 'action'].includes(c.kind)).length).toBe(
      doc.components.filter((c) => !['dialog', 'alert', 'action'].includes(c.kind)).length,
    );
  });

  test('a named task that does not exist is refused, naming it', async () => {
    const res = await call(stack.api, 'POST', '/v1/exports', {
      token: bearer,
      body: { botId, exportOptions: { subTasks: { dialogs: ['Checkout', 'Nope'], actions: ['Gone'] } } },
    });
    expect(res.status).toBe(400);
    expect(res.body.detail).toMatch(/dialog 'Nope'.*action 'Gone'/);
    const unknownItem = await call(stack.api, 'POST', '/v1/exports', {
      token: bearer,
      body: { botId, exportOptions: { categories: { settings: ['colours'] } } },
    });
    expect(unknownItem.status).toBe(400);
    expect(unknownItem.body.errors[0].path).toBe('$.exportOptions.settings[0]');
  });

  test('a locale export naming tasks or bot settings is refused, saying why, instead of dropping them without a word', async () => {
    const refused = await call(stack.api, 'POST', '/v1/exports', {
      token: bearer,
      body: {
        botId,
        localeId: 'en_US',
        exportOptions: { subTasks: { dialogs: ['Checkout'] }, categories: { settings: ['botSettings'], nlpData: ['patterns'] } },
      },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.errors.map((e: { path: string }) => e.path)).toEqual(['$.exportOptions.subTasks', '$.exportOptions.settings']);
    expect(refused.body.errors[0].message).toContain("a locale export holds only locale en_US's components");
    // Locale-scoped items are fine, and so is leaving bot-level ones out.
    const allowed = await call(stack.api, 'POST', '/v1/exports', {
      token: bearer,
      body: { botId, localeId: 'en_US', exportOptions: { categories: { settings: [], nlpData: ['patterns'] } } },
    });
    expect(allowed.status).toBe(202);
  });

  test('each category item added or removed changes exactly its kinds', async () => {
    const everything = {
      settings: ['botSettings', 'botVariables', 'ivrSettings', 'genAIandLLMSettings'],
      tasks: ['botTask', 'knowledgeGraph', 'smallTalk'],
      nlpData: ['utterances', 'patterns', 'traits', 'rules', 'concepts', 'synonyms', 'standardResponses', 'nlpSettings'],
    };
    const full = await nativeExport(bearer, botId, { categories: everything });
    const allKinds = kinds(full.comps);
    expect(allKinds).toEqual(kinds(doc.components as Comp[]));
    const cases: [keyof typeof everything, string, string[]][] = [
      ['settings', 'botVariables', ['botVariables']],
      ['tasks', 'botTask', ['action', 'alert', 'dialog']],
      ['tasks', 'smallTalk', ['smallTalk']],
      ['nlpData', 'synonyms', ['synonyms']],
      ['nlpData', 'patterns', ['patterns']],
    ];
    for (const [category, item, removedKinds] of cases) {
      const options = { ...everything, [category]: everything[category].filter((i) => i !== item) };
      const { comps } = await nativeExport(bearer, botId, { categories: options });
      expect([item, kinds(comps)]).toEqual([item, allKinds.filter((k) => !removedKinds.includes(k))]);
    }
    const noDashboards = await nativeExport(bearer, botId, { customDashboards: false });
    expect(kinds(noDashboards.comps)).toEqual(allKinds.filter((k) => k !== 'customDashboard'));
  });

  test('leaving out utterances strips every sampleUtterances and nothing else', async () => {
    const { comps } = await nativeExport(bearer, botId, { categories: { settings: [], tasks: ['botTask'], nlpData: ['patterns'] } });
    const intents = comps.filter((c) => c.kind === 'intent');
    expect(intents.length).toBe(doc.components.filter((c) => c.kind === 'intent').length);
    expect(intents.filter((c) => 'sampleUtterances' in c.body)).toEqual([]);
    const order = intents.find((c) => c.name === 'OrderPizza' && c.locale === 'en_US')!;
    const original = doc.components.find((c) => c.name === 'OrderPizza' && c.locale === 'en_US')!;
    const { sampleUtterances: _dropped, ...kept } = original.body;
    expect(order.body).toEqual(kept);
    expect(comps.find((c) => c.kind === 'dialog' && c.name === 'Checkout')?.body).toEqual({ nodes: expect.any(Array) });
    expect(comps.some((c) => 'sampleUtterances' in c.body)).toBe(false);
  });
});

describe('Kore.ai surface', () => {
  test('latest and published export different versions; status goes pending → success with a working downloadURL', async () => {
    const tenant = newTenant();
    const bearer = token(tenant, { sub: 'u-kore-user' });
    const botId = await createBotWith(stack.api, bearer, demoBot(), true);
    // The DRAFT moves on after publishing.
    await call(stack.api, 'PUT', `/v1/bots/${botId}/versions/DRAFT/components/action/NewInDraft`, { token: bearer, body: { body: {} } });

    const kore = (method: string, path: string, body?: unknown) =>
      call(stack.api, method, `/api/public/bot/${botId}${path}`, { headers: { auth: bearer }, body });
    const sampleOptions = {
      exportOptions: {
        settings: ['botSettings', 'botVariables', 'ivrSettings', 'genAIandLLMSettings'],
        tasks: ['botTask', 'knowledgeGraph', 'smallTalk'],
        nlpData: ['utterances', 'patterns', 'traits', 'rules', 'concepts', 'synonyms', 'standardResponses', 'nlpSettings'],
      },
      subTasks: { alerts: [], actions: [], dialogs: [] },
      allTasks: true,
      customDashboards: true,
      IncludeDependentTasks: true,
    };
    const versions: Record<string, string[]> = {};
    for (const exportType of ['published', 'latest']) {
      const started = await kore('POST', '/export', { exportType, ...sampleOptions });
      expect(started.status).toBe(200);
      expect(started.body).toMatchObject({ status: 'pending', streamId: botId, createdBy: 'u-kore-user', exportType, requestType: 'Botexport', __v: 0 });
      expect(started.body._id).toMatch(/^ber-[0-9A-Za-z]{10}$/);
      expect(new Date(started.body.createdOn).toISOString()).toBe(started.body.createdOn);

      let status;
      for (let i = 0; i < 300; i++) {
        status = await kore('GET', '/export/status');
        if (status.body.status !== 'pending') break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(status!.status).toBe(200);
      expect(status!.body).toMatchObject({
        _id: started.body._id,
        botId,
        status: 'success',
        exportType,
        requestType: 'Botexport',
        fileId: started.body._id.slice(4),
      });
      expect(status!.body.fileSize).toMatch(/^\d+$/);
      expect(status!.body.downloadURL).toMatch(/X-Amz-Expires=300/);
      const archive = await download(status!.body.downloadURL);
      expect(String(archive.data.length)).toBe(status!.body.fileSize);
      // Kore's own zip; a bot built in botport has nothing Kore-shaped, so its components are named as left out.
      const files = await unzip(archive.data);
      expect([...files.keys()].sort()).toEqual(['botDefinition.json', 'config.json']);
      expect(JSON.parse(files.get('config.json')!.toString())).toEqual({ name: 'PizzaBot', envVariables: [] });
      expect(JSON.parse(files.get('botDefinition.json')!.toString())).toMatchObject({ localeData: { en: { name: 'PizzaBot' } }, dialogs: [] });
      versions[exportType] = [status!.body.notes.includes("action 'NewInDraft' has no Kore.ai equivalent") ? 'has-new' : 'no-new'];
    }
    expect(versions).toEqual({ published: ['no-new'], latest: ['has-new'] });
  });

  test("Kore's error shape: no published version, unknown bot, bad body, no token", async () => {
    const bearer = token(newTenant());
    const botId = await createBotWith(stack.api, bearer, demoBot());
    const noPublished = await call(stack.api, 'POST', `/api/public/bot/${botId}/export`, { headers: { auth: bearer }, body: { exportType: 'published' } });
    expect(noPublished.status).toBe(404);
    expect(noPublished.body).toEqual({ errors: [{ msg: expect.stringMatching(/no published version/), code: 404 }] });
    const bad = await call(stack.api, 'POST', `/api/public/bot/${botId}/export`, { token: bearer, body: { exportType: 'yesterday' } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].msg).toMatch(/exportType/);
    expect((await call(stack.api, 'GET', `/api/public/bot/${botId}/export/status`, { headers: { auth: bearer } })).status).toBe(404);
    const anon = await call(stack.api, 'POST', `/api/public/bot/${botId}/export`, { body: { exportType: 'latest' } });
    expect(anon.status).toBe(401);
    expect(anon.body.errors[0].code).toBe(401);
    const stranger = await call(stack.api, 'POST', `/api/public/bot/${botId}/export`, {
      headers: { auth: token(newTenant()) },
      body: { exportType: 'latest' },
    });
    expect(stranger.status).toBe(404);
  });
});

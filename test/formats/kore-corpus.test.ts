import { call, newTenant, token, useApiAndWorker } from '../support/harness';
import { koreCorpus, roundTripDifferences, unzipAny } from '../support/corpus';
import { download } from '../support/zip';

/**
 * Every real Kore.ai export in ../shared/corpus/kore goes through Kore's own
 * doors: /api/public/uploadfile, /api/public/bot/import and its status, then
 * /api/public/bot/{id}/export and its status. Imported from the export zip,
 * or from its files the way Kore's Bot Import API documents (botDefinition,
 * configInfo, icon), it must export as the same files with deep-equal JSON,
 * apart from ids the importer assigns. The seed's export request (seed 001)
 * with IncludeDependentTasks must bring exactly the dialog's real
 * dependencies. A folder added to the corpus is tested without code changes.
 */
const stack = useApiAndWorker({ EXPORT_CREATE_PER_MINUTE: '1000' });
const { exports: bots, notExports } = koreCorpus();

type Dialog = { _id: string; nodes: { componentId: string }[]; localeData: Record<string, { name: string }> };
type Definition = { defaultLanguage: string; dialogs: Dialog[]; dialogComponents: { _id: string; dialogId?: string }[] };

async function uploadFile(bearer: string, data: Buffer, fileName: string) {
  const form = new FormData();
  form.append('file', new Blob([data]), fileName);
  form.append('fileContext', 'bulkImport');
  form.append('fileExtension', fileName.split('.').pop()!);
  const res = await fetch(`${stack.api.url}/api/public/uploadfile`, { method: 'POST', headers: { auth: bearer }, body: form });
  expect(res.status).toBe(200);
  return ((await res.json()) as { fileId: string }).fileId;
}

async function importBot(bearer: string, body: Record<string, string>): Promise<{ streamId: string; statusLogs: unknown[] }> {
  const started = await call(stack.api, 'POST', '/api/public/bot/import', { headers: { auth: bearer }, body });
  expect(started.status).toBe(200);
  for (let i = 0; i < 300; i++) {
    const res = await call(stack.api, 'GET', `/api/public/bot/import/status/${started.body._id}`, { headers: { auth: bearer } });
    if (res.body.status !== 'pending') {
      expect([res.body.status, res.body.failureReasons]).toEqual(['success', undefined]);
      return res.body;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('import still pending');
}

async function exportBot(bearer: string, botId: string, body: object): Promise<{ files: Map<string, Buffer>; status: any }> {
  const started = await call(stack.api, 'POST', `/api/public/bot/${botId}/export`, { headers: { auth: bearer }, body });
  expect(started.status).toBe(200);
  for (let i = 0; i < 300; i++) {
    const status = await call(stack.api, 'GET', `/api/public/bot/${botId}/export/status`, { headers: { auth: bearer } });
    if (status.body.status === 'success') return { files: await unzipAny((await download(status.body.downloadURL)).data), status: status.body };
    expect(status.body.status).toBe('pending');
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('export still pending');
}

/** What Kore itself says a dialog depends on: the dialogs its nodes link to (an intent node of another dialog), transitively. */
function dependenciesOf(d: Definition, start: Dialog): string[] {
  const nodes = new Map(d.dialogComponents.map((c) => [c._id, c]));
  const byId = new Map(d.dialogs.map((g) => [g._id, g]));
  const reached = new Set([start._id]);
  const queue = [start];
  while (queue.length) {
    for (const node of queue.shift()!.nodes) {
      const linked = byId.get(nodes.get(node.componentId)?.dialogId ?? '');
      if (linked && !reached.has(linked._id)) {
        reached.add(linked._id);
        queue.push(linked);
      }
    }
  }
  return [...reached].map((id) => byId.get(id)!.localeData[d.defaultLanguage].name).sort();
}

test('the corpus is there', () => {
  expect(bots.length).toBeGreaterThanOrEqual(2);
});

describe.each(bots.map((b) => [b.name, b] as const))('%s', (_name, bot) => {
  test("Kore's export zip: uploadfile, bot import, then Kore's export gives back the same files", async () => {
    const bearer = token(newTenant());
    const { streamId } = await importBot(bearer, { botDefinition: await uploadFile(bearer, bot.archive(), 'export.zip') });
    const { files, status } = await exportBot(bearer, streamId, { exportType: 'latest' });
    expect(status.notes).toBeUndefined(); // Kore's own bot: nothing left out
    expect(roundTripDifferences(bot.files(), files)).toEqual([]);
  });

  test("Kore's three documented import steps with the bot's own files, botDefinition.json, config.json and icon.png", async () => {
    const bearer = token(newTenant());
    const own = bot.files();
    const config = JSON.parse(own.get('config.json')!.toString());
    const done = await importBot(bearer, {
      botDefinition: await uploadFile(bearer, own.get('botDefinition.json')!, 'botDefinition.json'),
      configInfo: await uploadFile(bearer, own.get('config.json')!, 'config.json'),
      icon: await uploadFile(bearer, own.get('icon.png')!, 'icon.png'),
    });
    expect(done.statusLogs).toContainEqual({ taskType: 'importBot', taskName: config.name, status: 'success' });
    expect((await call(stack.api, 'GET', `/v1/bots/${done.streamId}`, { token: bearer })).body.name).toBe(config.name);
    const { files } = await exportBot(bearer, done.streamId, { exportType: 'latest' });
    const given = new Map([...own].filter(([n]) => ['botDefinition.json', 'config.json', 'icon.png'].includes(n)));
    expect(roundTripDifferences(given, files)).toEqual([]);
  });

  test("the seed's export request on the imported bot, with IncludeDependentTasks, brings the dialog's real dependencies", async () => {
    const bearer = token(newTenant());
    const { streamId } = await importBot(bearer, { botDefinition: await uploadFile(bearer, bot.archive(), 'export.zip') });
    expect((await call(stack.api, 'POST', `/v1/bots/${streamId}/versions`, { token: bearer })).status).toBe(201);
    const definition = JSON.parse(bot.files().get('botDefinition.json')!.toString()) as Definition;
    // The dialog that reaches most others.
    const [dialog] = [...definition.dialogs].sort((a, b) => dependenciesOf(definition, b).length - dependenciesOf(definition, a).length);
    const name = dialog.localeData[definition.defaultLanguage].name;
    const seedRequest = (dialogs: string[], dependents: boolean) => ({
      exportType: 'published',
      exportOptions: {
        settings: ['botSettings', 'botVariables', 'ivrSettings', 'genAIandLLMSettings'],
        tasks: ['botTask', 'knowledgeGraph', 'smallTalk'],
        nlpData: ['utterances', 'patterns', 'traits', 'rules', 'concepts', 'synonyms', 'standardResponses', 'nlpSettings'],
      },
      subTasks: { alerts: [], actions: [], dialogs },
      allTasks: true,
      customDashboards: true,
      IncludeDependentTasks: dependents,
    });

    const exportedDialogs = (files: Map<string, Buffer>) => {
      const out = JSON.parse(files.get('botDefinition.json')!.toString()) as Definition & { exportOptions: { subTasks: { dialogs: string[] } } };
      // Every node the exported dialogs use comes with them.
      const nodes = new Set(out.dialogComponents.map((c) => c._id));
      expect(out.dialogs.flatMap((g) => g.nodes.map((n) => n.componentId)).filter((id) => !nodes.has(id))).toEqual([]);
      expect(out.exportOptions.subTasks.dialogs.sort()).toEqual(out.dialogs.map((g) => g._id).sort());
      return out.dialogs.map((g) => g.localeData[definition.defaultLanguage].name).sort();
    };
    const withDependents = await exportBot(bearer, streamId, seedRequest([name], true));
    expect(exportedDialogs(withDependents.files)).toEqual(dependenciesOf(definition, dialog));
    const alone = await exportBot(bearer, streamId, seedRequest([name], false));
    expect(exportedDialogs(alone.files)).toEqual([name]);
  });
});

describe.each(notExports.map((n) => [n.name, n] as const))('%s', (name, entry) => {
  test(`is not part of a Kore export (${entry.reason}): skipped, and refused when uploaded as one`, async () => {
    const bearer = token(newTenant());
    const fileId = await uploadFile(bearer, entry.data(), 'export.zip');
    const started = await call(stack.api, 'POST', '/api/public/bot/import', { headers: { auth: bearer }, body: { botDefinition: fileId } });
    for (let i = 0; i < 300; i++) {
      const res = await call(stack.api, 'GET', `/api/public/bot/import/status/${started.body._id}`, { headers: { auth: bearer } });
      if (res.body.status !== 'pending') {
        expect(res.body.status).toBe('failed');
        expect(res.body.failureReasons[0]).toMatch(/^entry 'botDefinition\.json' is not valid JSON/);
        return;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`${name}: import still pending`);
  });
});

import path from 'node:path';
import type { Component } from '@botport/shared';
import { call, createBotWith, draftOf, newTenant, startImport, token, useApiAndWorker, waitForExport, waitForImport } from '../support/harness';
import { demoBot } from '../support/fixtures';
import { filesUnder, zipOf } from '../support/archives';
import { download, unzip } from '../support/zip';

const stack = useApiAndWorker({ EXPORT_CREATE_PER_MINUTE: '1000' });

async function exportLexJson(bearer: string, body: object): Promise<{ done: any; files: Map<string, Buffer> }> {
  const created = await call(stack.api, 'POST', '/v1/exports', { token: bearer, body: { fileFormat: 'LexJson', ...body } });
  expect(created.status).toBe(202);
  const done = await waitForExport(stack.api, bearer, created.body.exportId);
  expect(done.exportStatus).toBe('Completed');
  return { done, files: await unzip((await download(done.downloadUrl)).data) };
}

async function nativeImport(bearer: string, archive: Buffer, query: string) {
  const res = await fetch(`${stack.api.url}/v1/imports?${query}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/zip' },
    body: archive,
  });
  expect(res.status).toBe(202);
  const started = (await res.json()) as any;
  expect(res.headers.get('location')).toBe(`/v1/imports/${started.importId}`);
  return waitForImport(stack.api, bearer, started.importId);
}

/** What Lex keeps of a botport intent: utterances and slots by name and type. */
const lexView = (components: Component[], locale: string) =>
  components
    .filter((c) => c.locale === locale && (c.kind === 'intent' || c.kind === 'slotType'))
    .map((c) =>
      c.kind === 'intent'
        ? {
            intent: c.name,
            utterances: c.body.sampleUtterances ?? [],
            slots: ((c.body.slots ?? []) as { name: string; slotTypeName: string }[]).map((s) => `${s.name}:${s.slotTypeName}`).sort(),
          }
        : { slotType: c.name, values: ((c.body.values ?? c.body.slotTypeValues) as any[]).map((v) => v.value ?? v.sampleValue.value).sort() },
    )
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

describe('LexJson from bots built in botport', () => {
  test("a /v1 bot exports as LexJson in Lex's layout, names what it left out, and imports back keeping intents, utterances, slots and slot types", async () => {
    const bearer = token(newTenant());
    const doc = demoBot();
    const botId = await createBotWith(stack.api, bearer, doc);
    const { done, files } = await exportLexJson(bearer, { botId });

    expect(JSON.parse(files.get('Manifest.json')!.toString())).toEqual({ metaData: { schemaVersion: '1', fileFormat: 'LexJson', resourceType: 'BOT' } });
    expect(JSON.parse(files.get('PizzaBot/Bot.json')!.toString())).toMatchObject({
      name: 'PizzaBot',
      identifier: botId,
      version: 'DRAFT',
      dataPrivacy: { childDirected: false },
    });
    const slot = JSON.parse(files.get('PizzaBot/BotLocales/en_US/Intents/OrderPizza/Slots/size/Slot.json')!.toString());
    expect(slot).toMatchObject({ name: 'size', slotTypeName: 'PizzaSize', valueElicitationSetting: { slotConstraint: 'Required' } });
    const intent = JSON.parse(files.get('PizzaBot/BotLocales/en_US/Intents/OrderPizza/Intent.json')!.toString());
    expect(intent.slotPriorities).toEqual([
      { priority: 1, slotName: 'size' },
      { priority: 2, slotName: 'crust' },
      { priority: 3, slotName: 'quantity' },
    ]);
    const type = JSON.parse(files.get('PizzaBot/BotLocales/en_US/SlotTypes/PizzaSize/SlotType.json')!.toString());
    expect(type.slotTypeValues).toEqual([
      { sampleValue: { value: 'small' }, synonyms: [{ value: 'little' }] },
      { sampleValue: { value: 'large' }, synonyms: [{ value: 'big' }, { value: 'huge' }] },
    ]);
    expect([...files.keys()].some((n) => n.includes('dialog') || n.includes('Checkout'))).toBe(false);
    expect(done.notes).toContainEqual(
      expect.stringMatching(/^left out what Lex V2 has no place for: action \(2\), alert \(1\), botSettings \(1\), .*dialog \(4\)/),
    );
    expect(done.notes).toContainEqual("intent 'OrderPizza' (en_US): slot priorities were rebuilt to list its 3 slot(s)");
    // Each component left out is named, not only counted.
    const leftOut = doc.components.filter((c) => !['locale', 'intent', 'slotType'].includes(c.kind));
    for (const c of leftOut) expect(done.notes).toContainEqual(`${c.kind} '${c.name}'${c.locale ? ` (${c.locale})` : ''} has no Lex V2 equivalent`);

    const imported = await nativeImport(bearer, zipOf(files), 'botName=PizzaBot%20from%20Lex');
    expect(imported).toMatchObject({ importStatus: 'Completed', importSummary: { format: 'LexJson', botCreated: true } });
    const back = await draftOf(stack.api, bearer, imported.importedResourceId);
    for (const locale of ['en_US', 'de_DE']) expect(lexView(back.components, locale)).toEqual(lexView(doc.components, locale));
  });

  test("a single locale exports with that locale only and imports into another bot's locale, natively and through Lex", async () => {
    const bearer = token(newTenant());
    const doc = demoBot();
    const source = await createBotWith(stack.api, bearer, doc);
    const { files } = await exportLexJson(bearer, { botId: source, localeId: 'de_DE' });
    expect(JSON.parse(files.get('Manifest.json')!.toString()).metaData.resourceType).toBe('BOT_LOCALE');
    expect([...files.keys()].filter((n) => n.includes('/BotLocales/')).every((n) => n.startsWith('PizzaBot/BotLocales/de_DE/'))).toBe(true);
    // As Lex's own locale exports: the structure under the locale, no Bot.json.
    expect([...files.keys()].filter((n) => n !== 'Manifest.json' && !n.startsWith('PizzaBot/BotLocales/de_DE/'))).toEqual([]);

    const englishOnly = { ...doc, bot: { name: 'Target' }, components: doc.components.filter((c) => c.locale !== 'de_DE') };
    const native = await createBotWith(stack.api, bearer, englishOnly);
    const viaNative = await nativeImport(bearer, zipOf(files), `botId=${native}&localeId=de_DE&mergeStrategy=Overwrite`);
    expect(viaNative).toMatchObject({ importStatus: 'Completed', importedResourceId: native });
    expect(lexView((await draftOf(stack.api, bearer, native)).components, 'de_DE')).toEqual(lexView(doc.components, 'de_DE'));

    const lex = await createBotWith(stack.api, bearer, { ...englishOnly, bot: { name: 'Target2' } });
    const started = await startImport(
      stack.api,
      bearer,
      zipOf(files),
      { botLocaleImportSpecification: { botId: lex, botVersion: 'DRAFT', localeId: 'de_DE' } },
      'Overwrite',
    );
    expect((await waitForImport(stack.api, bearer, started.body.importId)).importStatus).toBe('Completed');
    expect(lexView((await draftOf(stack.api, bearer, lex)).components, 'de_DE')).toEqual(lexView(doc.components, 'de_DE'));
  });

  test('slot priorities naming slots the archive lacks are repaired keeping the order of the slots that remain', async () => {
    const bearer = token(newTenant());
    // Elicited C, then A, then B; slot X no longer exists.
    const slots = ['A', 'B', 'C'].map((name) => ({ name, slotTypeName: 'AMAZON.Number' }));
    const priorities = ['X', 'C', 'A', 'B'].map((slotName, i) => ({ priority: i + 1, slotName }));
    const doc = {
      formatVersion: 1,
      bot: { name: 'Ordered' },
      components: [
        { kind: 'locale', locale: 'en_US', name: 'en_US', body: { nluConfidenceThreshold: 0.4 } },
        { kind: 'intent', locale: 'en_US', name: 'Book', body: { sampleUtterances: [{ utterance: 'book' }], slots, slotPriorities: priorities } },
      ],
    };
    const botId = await createBotWith(stack.api, bearer, doc);
    const { done, files } = await exportLexJson(bearer, { botId });
    const intent = JSON.parse(files.get('Ordered/BotLocales/en_US/Intents/Book/Intent.json')!.toString());
    expect(intent.slotPriorities).toEqual([
      { priority: 1, slotName: 'C' },
      { priority: 2, slotName: 'A' },
      { priority: 3, slotName: 'B' },
    ]);
    expect(done.notes).toContain("intent 'Book' (en_US): slot priorities were rebuilt to list its 3 slot(s)");
  });

  test('what Lex would refuse is repaired with a note: names, a missing fallback intent, a missing threshold', async () => {
    const bearer = token(newTenant());
    const components: Component[] = [
      { kind: 'locale', locale: 'en_US', name: 'en_US', body: {} },
      { kind: 'slotType', locale: 'en_US', name: 'Pizza Size', body: { values: [{ value: 'small' }] } },
      {
        kind: 'intent',
        locale: 'en_US',
        name: 'Order Pizza!',
        body: { sampleUtterances: [{ utterance: 'pizza' }], slots: [{ name: 'size', slotTypeName: 'Pizza Size' }] },
      },
    ];
    const botId = await createBotWith(stack.api, bearer, { formatVersion: 1, bot: { name: 'Pizza Bot' }, components } as never);
    const { done, files } = await exportLexJson(bearer, { botId });
    const names = [...files.keys()];
    const lexName = /^([0-9a-zA-Z][_-]?){1,100}$/;
    for (const n of names.filter((x) => x.endsWith('.json') && x !== 'Manifest.json')) {
      const value = JSON.parse(files.get(n)!.toString());
      if (!n.endsWith('BotLocale.json')) expect([n, lexName.test(value.name)]).toEqual([n, true]);
    }
    const slotFile = names.find((n) => n.endsWith('/Slot.json'))!;
    const typeFile = names.find((n) => n.endsWith('/SlotType.json'))!;
    expect(JSON.parse(files.get(slotFile)!.toString()).slotTypeName).toBe(JSON.parse(files.get(typeFile)!.toString()).name);
    expect(names).toContainEqual(expect.stringMatching(/^Pizza_Bot_[0-9a-f]{6}\/BotLocales\/en_US\/Intents\/FallbackIntent\/Intent\.json$/));
    expect(done.notes).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^bot name 'Pizza Bot' is written as 'Pizza_Bot_[0-9a-f]{6}'/),
        expect.stringMatching(/^intent 'Order Pizza!' \(en_US\) is written as 'Order_Pizza_[0-9a-f]{6}'/),
        expect.stringMatching(/^locale en_US had no fallback intent/),
        expect.stringMatching(/^locale en_US had no nluConfidenceThreshold/),
      ]),
    );
  });

  test('a locale archive laid out as Lex documents it (BotLocale.json at the root) imports into a locale', async () => {
    const bearer = token(newTenant());
    const corpusLocale = path.resolve(
      __dirname,
      '../../../shared/corpus/lex/Tachyon__aws-lexv2-example-lambda/python/feature-demo/repeat-intent-demo/OrderFlower-repeat-DRAFT-LexJson/OrderFlower-repeat/BotLocales/en_US',
    );
    const files = filesUnder(corpusLocale);
    files.set('manifest.json', Buffer.from(JSON.stringify({ metadata: { schemaVersion: '1.0', fileFormat: 'LexJson', resourceType: 'BotLocale' } })));
    const botId = await createBotWith(stack.api, bearer, { formatVersion: 1, bot: { name: 'Flowers' }, components: [] } as never);
    const started = await startImport(
      stack.api,
      bearer,
      zipOf(files),
      { botLocaleImportSpecification: { botId, botVersion: 'DRAFT', localeId: 'en_US' } },
      'Overwrite',
    );
    const done = await waitForImport(stack.api, bearer, started.body.importId);
    expect(done).toMatchObject({ importStatus: 'Completed', importSummary: { format: 'LexJson', added: 5 } }); // the locale, three intents, one slot type
    const intents = (await draftOf(stack.api, bearer, botId)).components.filter((c: Component) => c.kind === 'intent').map((c: Component) => c.name);
    expect(intents.sort()).toEqual(['FallbackIntent', 'OrderFlowers', 'RepeatIntent']);
  });
});

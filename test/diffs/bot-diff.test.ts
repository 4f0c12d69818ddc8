import { call, newTenant, token, useApiAndWorker } from '../support/harness';
import { demoBot } from '../support/fixtures';
import { download, exportNative, postZip } from '../support/native';

const stack = useApiAndWorker();

/** The demo bot as the launcher seeds it (infra/local/start.js): version 1 published, then the DRAFT edited. */
async function seedDemo(bearer: string): Promise<string> {
  const doc = demoBot();
  const created = await call(stack.api, 'POST', '/v1/bots', { token: bearer, body: { name: doc.bot.name, description: doc.bot.description } });
  const botId = created.body.botId as string;
  expect((await call(stack.api, 'PUT', `/v1/bots/${botId}/versions/DRAFT`, { token: bearer, body: doc })).status).toBe(200);
  expect((await call(stack.api, 'POST', `/v1/bots/${botId}/versions`, { token: bearer, body: { description: 'first release' } })).status).toBe(201);
  const body = { body: { sampleUtterances: [{ utterance: 'cancel my order' }, { utterance: 'stop the pizza' }], slots: [] } };
  expect((await call(stack.api, 'PUT', `/v1/bots/${botId}/versions/DRAFT/components/intent/CancelOrder?locale=en_US`, { token: bearer, body })).status).toBe(
    201,
  );
  return botId;
}

const diff = (bearer: string, botId: string, from: string, to: string) =>
  call(stack.api, 'GET', `/v1/bots/${botId}/diff?from=${from}&to=${to}`, { token: bearer });

describe('diff', () => {
  test('two versions of the demo bot: what the launcher changed, then a second round of edits, each as written out by hand', async () => {
    const bearer = token(newTenant());
    const botId = await seedDemo(bearer);

    const first = await diff(bearer, botId, '1', 'DRAFT');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      from: { ref: '1', kind: 'version', format: 'BotportJson' },
      to: { ref: 'DRAFT', kind: 'version', format: 'BotportJson' },
      comparedAs: 'BotportJson',
      bot: { changed: [] },
      added: [{ kind: 'intent', locale: 'en_US', name: 'CancelOrder' }],
      removed: [],
      changed: [],
      unchanged: demoBot().components.length,
      counts: { added: 1, removed: 0, changed: 0 },
      truncated: false,
    });

    // Version 2 is that DRAFT; then: OrderPizza's second slot made required and its prompt reworded, Checkout no longer
    // leads to Receipt, de_DE's Goodbye removed, a knowledge graph FAQ added.
    expect((await call(stack.api, 'POST', `/v1/bots/${botId}/versions`, { token: bearer })).status).toBe(201);
    const orderPizza = demoBot().components.find((c) => c.kind === 'intent' && c.locale === 'en_US' && c.name === 'OrderPizza')!;
    const slots = (orderPizza.body.slots as object[]).map((s, i) => (i === 1 ? { ...s, required: true } : s));
    const put = (path: string, body: unknown) => call(stack.api, 'PUT', `/v1/bots/${botId}/versions/DRAFT/components/${path}`, { token: bearer, body });
    await put('intent/OrderPizza?locale=en_US', { body: { ...orderPizza.body, slots, confirmationPrompt: 'Shall I order it?' } });
    await put('dialog/Checkout', { body: demoBot().components.find((c) => c.name === 'Checkout')!.body, refs: [{ kind: 'action', name: 'ChargeCard' }] });
    const menu = demoBot().components.find((c) => c.kind === 'knowledgeGraph')!;
    await put('knowledgeGraph/menu', { body: { ...menu.body, faqs: [...(menu.body.faqs as object[]), { q: 'Vegan?', a: 'Yes' }] } });
    expect(
      (await call(stack.api, 'DELETE', `/v1/bots/${botId}/versions/DRAFT/components/standardResponses/Goodbye?locale=de_DE`, { token: bearer })).status,
    ).toBe(204);

    const second = await diff(bearer, botId, '2', 'DRAFT');
    expect(second.body.added).toEqual([]);
    expect(second.body.removed).toEqual([{ kind: 'standardResponses', locale: 'de_DE', name: 'Goodbye' }]);
    expect(second.body.changed).toEqual([
      { kind: 'dialog', name: 'Checkout', pointers: ['/refs/1'] },
      { kind: 'knowledgeGraph', name: 'menu', pointers: [`/body/faqs/${(menu.body.faqs as object[]).length}`] },
      { kind: 'intent', locale: 'en_US', name: 'OrderPizza', pointers: ['/body/confirmationPrompt', '/body/slots/1/required'] },
    ]);
    expect(second.body.unchanged).toBe(demoBot().components.length + 1 - 4);
    // And the other way round: what was removed is added.
    const back = await diff(bearer, botId, 'DRAFT', '2');
    expect(back.body.added).toEqual(second.body.removed);
  });

  test('a LexJson export and a BotportJson export of the same version diff empty, compared as LexJson holds them; so do the LexJson archive uploaded and the version', async () => {
    const bearer = token(newTenant());
    const botId = await seedDemo(bearer);
    const lex = await exportNative(stack.api, bearer, { botId, botVersion: '1', fileFormat: 'LexJson' });
    const native = await exportNative(stack.api, bearer, { botId, botVersion: '1', fileFormat: 'BotportJson' });
    for (const [from, to] of [
      [`export:${lex.exportId}`, `export:${native.exportId}`],
      [`export:${lex.exportId}`, '1'],
      ['1', `export:${lex.exportId}`],
      [`export:${native.exportId}`, '1'],
    ]) {
      const d = await diff(bearer, botId, from, to);
      expect(d.status).toBe(200);
      expect(d.body).toMatchObject({ added: [], removed: [], changed: [], bot: { changed: [] }, counts: { added: 0, removed: 0, changed: 0 } });
      expect(d.body.unchanged).toBeGreaterThan(0);
    }
    const mixed = await diff(bearer, botId, `export:${lex.exportId}`, '1');
    expect(mixed.body.comparedAs).toBe('LexJson');
    expect(mixed.body.from).toMatchObject({ kind: 'archive', format: 'LexJson' });
    // What LexJson cannot hold is said, not reported as removed.
    expect(mixed.body.notes.join('\n')).toMatch(/1 as LexJson: action 'ChargeCard' has no Lex V2 equivalent/);
    expect(mixed.body.notes.join('\n')).toMatch(/left out what Lex V2 has no place for: .*dialog \(4\)/);

    const uploaded = await postZip(stack.api, bearer, `/v1/bots/${botId}/diff?from=1`, await download(lex.downloadUrl));
    expect(uploaded.status).toBe(200);
    expect(uploaded.body).toMatchObject({ added: [], removed: [], changed: [], to: { kind: 'archive', format: 'LexJson' } });
    // Against the DRAFT, the LexJson archive of version 1 lacks exactly the intent added since.
    const draft = await diff(bearer, botId, `export:${lex.exportId}`, 'DRAFT');
    expect(draft.body).toMatchObject({ added: [{ kind: 'intent', locale: 'en_US', name: 'CancelOrder' }], removed: [], changed: [] });
  });

  test('bad sides are refused naming them; another tenant, or a bot token of another bot, sees 404', async () => {
    const bearer = token(newTenant());
    const botId = await seedDemo(bearer);
    const bad = await diff(bearer, botId, 'DRAFT', 'latest');
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toMatch(/'latest' is not a side: give DRAFT, a version number, or export:ID, upload:ID/);
    expect((await diff(bearer, botId, 'DRAFT', '7')).status).toBe(404);
    expect((await diff(bearer, botId, 'DRAFT', 'export:AAAAAAAAAA')).status).toBe(404);
    expect((await diff(token(newTenant()), botId, '1', 'DRAFT')).status).toBe(404);
    expect((await diff(token(newTenant(), { bot: 'ZZZZZZZZZZ' }), botId, '1', 'DRAFT')).status).toBe(404);
  });
});

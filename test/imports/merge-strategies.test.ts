import type { Component } from '@botport/shared';
import { call, createBotWith, draftOf, newTenant, startImport, storeSnapshot, token, useApiAndWorker, waitForImport } from '../support/harness';
import { canonical, demoBot } from '../support/fixtures';
import { botportFiles, withManifest, zipOf } from '../support/archives';

const stack = useApiAndWorker();

/**
 * The archive holds the whole demo bot. The target bot overlaps it partly:
 * the same en_US and bot-level components (OrderPizza's utterances changed),
 * no de_DE, and one dialog of its own.
 */
function overlappingTarget() {
  const archive = demoBot('Target');
  const changed = (c: Component): Component =>
    c.kind === 'intent' && c.name === 'OrderPizza' ? { ...c, body: { ...c.body, sampleUtterances: [{ utterance: 'the target says pizza' }] } } : c;
  const own: Component = { kind: 'dialog', name: 'OnlyInTarget', body: { nodes: [] } };
  const target = {
    ...archive,
    bot: { ...archive.bot, description: 'the target' },
    components: [...archive.components.filter((c) => c.locale !== 'de_DE').map(changed), own],
  };
  const overlap = archive.components.filter((c) => c.locale !== 'de_DE');
  return { archive, target, own, overlap, changed, fresh: archive.components.filter((c) => c.locale === 'de_DE') };
}

async function importInto(tenant: string, mergeStrategy: string) {
  const bearer = token(tenant);
  const setup = overlappingTarget();
  const botId = await createBotWith(stack.api, bearer, setup.target);
  const before = await storeSnapshot(stack.api.ctx.db, tenant);
  const started = await startImport(
    stack.api,
    bearer,
    zipOf(withManifest(botportFiles(setup.archive))),
    { botImportSpecification: { botName: 'Target' } },
    mergeStrategy,
  );
  expect(started.status).toBe(202);
  const done = await waitForImport(stack.api, bearer, started.body.importId);
  return { ...setup, bearer, botId, before, done, after: await draftOf(stack.api, bearer, botId) };
}

describe('merge strategies against a bot that overlaps the archive partly', () => {
  test('Overwrite: archive components replace the overlapping ones, the rest of the bot stays', async () => {
    const r = await importInto(newTenant(), 'Overwrite');
    expect(r.done).toMatchObject({
      importStatus: 'Completed',
      importedResourceId: r.botId,
      importSummary: { added: r.fresh.length, replaced: r.overlap.length, kept: 0, botCreated: false },
    });
    expect(canonical(r.after.components)).toEqual(canonical([...r.archive.components, r.own]));
    expect(r.after.bot.description).toBe(r.archive.bot.description);
  });

  test('Append: new components are added, existing ones keep their content', async () => {
    const r = await importInto(newTenant(), 'Append');
    expect(r.done).toMatchObject({ importStatus: 'Completed', importSummary: { added: r.fresh.length, replaced: 0, kept: r.overlap.length } });
    expect(canonical(r.after.components)).toEqual(canonical([...r.target.components, ...r.fresh]));
    expect(r.after.bot.description).toBe('the target');
  });

  test('FailOnConflict: fails naming the conflicts and changes nothing at all', async () => {
    const tenant = newTenant();
    const r = await importInto(tenant, 'FailOnConflict');
    expect(r.done.importStatus).toBe('Failed');
    expect(r.done.failureReasons[0]).toMatch(new RegExp(`^${r.overlap.length} component\\(s\\) already exist in bot Target: `));
    expect(r.done.failureReasons[0]).toContain("intent 'OrderPizza' (en_US)");
    expect(r.done.failureReasons[0]).toContain("dialog 'Checkout'");
    expect(await storeSnapshot(stack.api.ctx.db, tenant)).toEqual(r.before);
  });

  // Into a bot that exists (staged, then written) and into one the import creates (written as staged): nothing stays either way.
  test.each([
    ['an existing bot', true],
    ['a bot the import creates', false],
  ])('an import whose references resolve nowhere fails and leaves the store as it was: %s', async (_target, exists) => {
    const tenant = newTenant();
    const bearer = token(tenant);
    const doc = demoBot('Target');
    if (exists) await createBotWith(stack.api, bearer, { ...doc, components: [] });
    const before = await storeSnapshot(stack.api.ctx.db, tenant);
    // A locale without its slot types: OrderPizza's slots point nowhere.
    const broken = { ...doc, components: doc.components.filter((c) => c.kind !== 'slotType') };
    const started = await startImport(
      stack.api,
      bearer,
      zipOf(withManifest(botportFiles(broken))),
      { botImportSpecification: { botName: 'Target' } },
      'Overwrite',
    );
    const done = await waitForImport(stack.api, bearer, started.body.importId);
    expect(done.importStatus).toBe('Failed');
    expect(done.failureReasons[0]).toMatch(/reference components that are neither in the archive nor in the bot/);
    expect(done.failureReasons.slice(1).join('\n')).toMatch(/intent 'OrderPizza' \(en_US\): references slotType '.+' \(en_US\), which does not exist/);
    expect(await storeSnapshot(stack.api.ctx.db, tenant)).toEqual(before);
  });
});

describe('into a bot the import creates (its components written as they are staged)', () => {
  test('every component of an archive of several batches lands, counted as added', async () => {
    const tenant = newTenant();
    const bearer = token(tenant);
    const doc = demoBot('Fresh');
    // 2,500 components: past the 1,000 rows of one batch, so batches are written while the next is read.
    const many: Component[] = Array.from({ length: 2500 }, (_, i) => ({ kind: 'dialog', name: `D${i}`, body: { nodes: [{ say: `hello ${i}` }] } }));
    const archive = { ...doc, components: [...doc.components, ...many] };
    const started = await startImport(
      stack.api,
      bearer,
      zipOf(withManifest(botportFiles(archive))),
      { botImportSpecification: { botName: 'Fresh' } },
      'FailOnConflict',
    );
    const done = await waitForImport(stack.api, bearer, started.body.importId, 60000);
    expect(done).toMatchObject({ importStatus: 'Completed', importSummary: { added: archive.components.length, replaced: 0, kept: 0, botCreated: true } });
    const draft = await draftOf(stack.api, bearer, done.importedResourceId);
    expect(canonical(draft.components)).toEqual(canonical(archive.components));
  });
});

describe('a BotportJson import keeps each body as its entry wrote it', () => {
  // JavaScript would read these as 1.5, 12345678901234567000 and 1e-7; PostgreSQL's jsonb keeps them exactly.
  const exact = '{"price": 1.50, "big": 12345678901234567890, "small": 0.00000010, "list": [1.0, 2.10]}';
  const archiveWith = (botName: string) => {
    const files = botportFiles(demoBot(botName));
    files.set('bot/dialog/Checkout.json', Buffer.from(`{"kind":"dialog","name":"Checkout","body":${exact}}`));
    return zipOf(withManifest(files));
  };
  /** The DRAFT as GET answers it, as text: what a client parsing big numbers exactly would read. */
  const draftText = async (bearer: string, botId: string) => {
    const res = await call(stack.api, 'GET', `/v1/bots/${botId}/versions/DRAFT`, { token: bearer });
    expect(res.status).toBe(200);
    return res.text;
  };

  test.each([
    ['into a bot the import creates', false],
    ['over an existing bot (Overwrite)', true],
  ])('%s', async (_, existing) => {
    const bearer = token(newTenant());
    const botId = existing ? await createBotWith(stack.api, bearer, demoBot('Exact')) : undefined;
    const started = await startImport(stack.api, bearer, archiveWith('Exact'), { botImportSpecification: { botName: 'Exact' } }, 'Overwrite');
    expect(started.status).toBe(202);
    const done = await waitForImport(stack.api, bearer, started.body.importId);
    expect(done).toMatchObject({ importStatus: 'Completed', importSummary: { botCreated: !existing } });
    const text = await draftText(bearer, botId ?? done.importedResourceId);
    expect(text).toContain('"price": 1.50');
    expect(text).toContain('"big": 12345678901234567890');
    expect(text).toContain('"small": 0.00000010');
    expect(text).toContain('"list": [1.0, 2.10]');
  });
});

import type { Component } from '@botport/shared';
import { call, createBotWith, newTenant, storeSnapshot, token, useApiAndWorker } from '../support/harness';
import { demoBot } from '../support/fixtures';
import { botportFiles, withManifest, zipOf } from '../support/archives';
import { exportNative, importNative, postImport } from '../support/native';

const stack = useApiAndWorker();

/**
 * A bot that overlaps the demo bot's archive: en_US and bot-level
 * components, OrderPizza's utterances changed, no de_DE, one dialog of its
 * own and a description of its own.
 */
async function overlappingBot(bearer: string) {
  const archive = demoBot('Target');
  const changed = (c: Component): Component =>
    c.kind === 'intent' && c.name === 'OrderPizza' ? { ...c, body: { ...c.body, sampleUtterances: [{ utterance: 'the target says pizza' }] } } : c;
  const target = {
    ...archive,
    bot: { ...archive.bot, description: 'the target' },
    components: [...archive.components.filter((c) => c.locale !== 'de_DE').map(changed), { kind: 'dialog', name: 'OnlyInTarget', body: { nodes: [] } }],
  };
  const botId = await createBotWith(stack.api, bearer, target);
  return { botId, zip: zipOf(withManifest(botportFiles(archive))), archive };
}

const key = (c: { kind: string; locale?: string; name: string }) => `${c.kind}/${c.locale ?? ''}/${c.name}`;
const keys = (list: { kind: string; locale?: string; name: string }[]) => list.map(key).sort();

describe('import plan (dry run)', () => {
  test('a dry run of an Overwrite import changes nothing and lists exactly what the real import then changes', async () => {
    const tenant = newTenant();
    const bearer = token(tenant);
    const { botId, zip } = await overlappingBot(bearer);
    expect((await call(stack.api, 'POST', `/v1/bots/${botId}/versions`, { token: bearer })).status).toBe(201); // version 1: the DRAFT before
    const before = await storeSnapshot(stack.api.ctx.db, tenant);

    const dry = await importNative(stack.api, bearer, zip, { botId, mergeStrategy: 'Overwrite', dryRun: 'true' });
    expect(dry).toMatchObject({ status: 'Completed', dryRun: true, summary: null });
    expect(await storeSnapshot(stack.api.ctx.db, tenant)).toEqual(before);
    const plan = dry.plan;
    expect(plan).toMatchObject({ outcome: 'applies', format: 'BotportJson', mergeStrategy: 'Overwrite', target: { botId, botCreated: false } });
    // de_DE is new; OrderPizza (en_US) differs in its utterances (the target has one, the archive two); the rest of en_US is identical.
    expect(plan.components.create.length).toBe(demoBot().components.filter((c) => c.locale === 'de_DE').length);
    expect(plan.components.update).toEqual([
      { kind: 'intent', locale: 'en_US', name: 'OrderPizza', pointers: ['/body/sampleUtterances/0/utterance', '/body/sampleUtterances/1'] },
    ]);
    expect(plan.components.delete).toEqual([]);
    expect(plan.counts.unchanged).toBe(demoBot().components.filter((c) => c.locale !== 'de_DE').length - 1);
    expect(plan.bot.description).toEqual({ from: 'the target', to: demoBot().bot.description });
    expect(plan.conflicts).toContainEqual({ kind: 'intent', locale: 'en_US', name: 'OrderPizza', outcome: "the archive's replaces the DRAFT's" });

    const real = await importNative(stack.api, bearer, zip, { botId, mergeStrategy: 'Overwrite', draftRevision: String(plan.draftRevision) });
    expect(real).toMatchObject({ status: 'Completed', dryRun: false });
    const diff = await call(stack.api, 'GET', `/v1/bots/${botId}/diff?from=1&to=DRAFT`, { token: bearer });
    expect(diff.status).toBe(200);
    expect(keys(diff.body.added)).toEqual(keys(plan.components.create));
    expect(keys(diff.body.removed)).toEqual(keys(plan.components.delete));
    expect(diff.body.changed).toEqual(plan.components.update);
    expect(diff.body.unchanged).toBe(plan.counts.unchanged + 1); // and OnlyInTarget, which the archive does not hold
    // The description belongs to the bot, not to a version (an export of version 1 carries today's too): the plan says it changes, a version diff cannot.
    expect(diff.body.bot.changed).toEqual([]);
  });

  test('a plan of a FailOnConflict import names every conflict and says the import would fail, changing nothing', async () => {
    const tenant = newTenant();
    const bearer = token(tenant);
    const { botId, zip } = await overlappingBot(bearer);
    const before = await storeSnapshot(stack.api.ctx.db, tenant);
    const dry = await importNative(stack.api, bearer, zip, { botId, mergeStrategy: 'FailOnConflict', dryRun: 'true' });
    expect(dry.plan).toMatchObject({ outcome: 'fails', components: { create: [], update: [], delete: [] } });
    expect(dry.plan.failureReasons[0]).toMatch(/component\(s\) already exist in bot Target/);
    expect(dry.plan.counts.conflicts).toBe(demoBot().components.filter((c) => c.locale !== 'de_DE').length);
    expect(new Set(dry.plan.conflicts.map((c: { outcome: string }) => c.outcome))).toEqual(new Set(['fails the import (FailOnConflict)']));
    expect(await storeSnapshot(stack.api.ctx.db, tenant)).toEqual(before);
  });

  test('a plan lists the references that would be missing', async () => {
    const bearer = token(newTenant());
    const botId = await createBotWith(stack.api, bearer, { formatVersion: 1, bot: { name: 'Lonely' }, components: [] } as never);
    const doc = {
      formatVersion: 1 as const,
      bot: { name: 'Lonely' },
      components: [{ kind: 'dialog', name: 'Pay', body: {}, refs: [{ kind: 'action', name: 'Charge' }] }] as Component[],
    };
    const dry = await importNative(stack.api, bearer, zipOf(withManifest(botportFiles(doc))), { botId, mergeStrategy: 'Overwrite', dryRun: 'true' });
    expect(dry.plan).toMatchObject({
      outcome: 'fails',
      missingDependencies: [{ kind: 'dialog', name: 'Pay', references: { kind: 'action', name: 'Charge' } }],
      counts: { missingDependencies: 1 },
    });
  });

  test('applying a plan after the DRAFT changed is refused with 409, and nothing changes', async () => {
    const tenant = newTenant();
    const bearer = token(tenant);
    const { botId, zip } = await overlappingBot(bearer);
    const dry = await importNative(stack.api, bearer, zip, { botId, mergeStrategy: 'Overwrite', dryRun: 'true' });
    const edit = await call(stack.api, 'PUT', `/v1/bots/${botId}/versions/DRAFT/components/action/Later`, { token: bearer, body: { body: {} } });
    expect(edit.status).toBe(201);
    const before = await storeSnapshot(stack.api.ctx.db, tenant);
    const refused = await postImport(stack.api, bearer, zip, { botId, mergeStrategy: 'Overwrite', draftRevision: String(dry.plan.draftRevision) });
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toMatch(/changed since the plan \(revision \d+ then, \d+ now\)/);
    expect(await storeSnapshot(stack.api.ctx.db, tenant)).toEqual(before);
  });
});

describe('undo', () => {
  const draftExport = (bearer: string, botId: string) => exportNative(stack.api, bearer, { botId, botVersion: 'DRAFT', fileFormat: 'BotportJson' });

  test.each(['Overwrite', 'Append', 'Replace'])(
    'undoing an %s import restores the DRAFT exactly: the same export SHA-256 before the import and after the undo',
    async (mergeStrategy) => {
      const bearer = token(newTenant());
      const { botId, zip } = await overlappingBot(bearer);
      const before = await draftExport(bearer, botId);
      const done = await importNative(stack.api, bearer, zip, { botId, mergeStrategy });
      expect(done.status).toBe('Completed');
      const after = await draftExport(bearer, botId);
      expect(after.sha256).not.toBe(before.sha256);
      expect((await call(stack.api, 'GET', `/v1/imports/${done.importId}/undo`, { token: bearer })).body).toMatchObject({ undoable: true });

      const undone = await call(stack.api, 'POST', `/v1/imports/${done.importId}/undo`, { token: bearer });
      expect(undone.status).toBe(200);
      expect(undone.body).toMatchObject({ importId: done.importId, botId, botDeleted: false });
      expect((await draftExport(bearer, botId)).sha256).toBe(before.sha256);

      const again = await call(stack.api, 'POST', `/v1/imports/${done.importId}/undo`, { token: bearer });
      expect(again.status).toBe(409);
      expect(again.body.detail).toMatch(/already undone/);
    },
  );

  test('undo after a later edit of the DRAFT is 409, naming why, and changes nothing', async () => {
    const tenant = newTenant();
    const bearer = token(tenant);
    const { botId, zip } = await overlappingBot(bearer);
    const done = await importNative(stack.api, bearer, zip, { botId, mergeStrategy: 'Overwrite' });
    await call(stack.api, 'PUT', `/v1/bots/${botId}/versions/DRAFT/components/action/Later`, { token: bearer, body: { body: {} } });
    const before = await storeSnapshot(stack.api.ctx.db, tenant);
    const refused = await call(stack.api, 'POST', `/v1/imports/${done.importId}/undo`, { token: bearer });
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toMatch(
      /the DRAFT of bot Target changed after import \w+ \(revision \d+ then, \d+ now\); undoing it would discard those changes/,
    );
    expect(await storeSnapshot(stack.api.ctx.db, tenant)).toEqual(before);
  });

  test('undoing the import that created a bot deletes that bot; a dry run has nothing to undo; another tenant gets 404', async () => {
    const bearer = token(newTenant());
    const zip = zipOf(withManifest(botportFiles(demoBot('Fresh'))));
    const done = await importNative(stack.api, bearer, zip, {});
    expect(done.summary.botCreated).toBe(true);
    expect((await call(stack.api, 'POST', `/v1/imports/${done.importId}/undo`, { token: token(newTenant()) })).status).toBe(404);
    const undone = await call(stack.api, 'POST', `/v1/imports/${done.importId}/undo`, { token: bearer });
    expect(undone.body).toMatchObject({ botDeleted: true });
    expect((await call(stack.api, 'GET', `/v1/bots/${done.botId}`, { token: bearer })).status).toBe(404);

    const dry = await importNative(stack.api, bearer, zip, { dryRun: 'true' });
    expect(dry.plan).toMatchObject({
      outcome: 'applies',
      target: { botId: null, botName: 'Fresh', botCreated: true },
      counts: { create: demoBot().components.length },
    });
    const nothing = await call(stack.api, 'POST', `/v1/imports/${dry.importId}/undo`, { token: bearer });
    expect(nothing.status).toBe(409);
    expect(nothing.body.detail).toMatch(/dry run/);
  });
});

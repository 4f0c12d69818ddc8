import type { Component } from '@botport/shared';
import { call, draftOf, newTenant, startImport, token, useApiAndWorker, waitForImport } from '../support/harness';
import { eddiCorpus, koreCorpus } from '../support/corpus';
import { download } from '../support/zip';

/**
 * Each real EDDI and Kore.ai bot, imported through its own platform's door,
 * carried to every other platform's format: what the target has a place for
 * comes along, every component it has none for is named in the export's
 * notes (counted: nothing goes silently), and the archive imports back into
 * botport through the target platform's door. A LexJson made so passes the
 * LexJson reader's checks and keeps each intent's utterances.
 */
const stack = useApiAndWorker({ EDDI_IMPORT_WAIT_MS: '15000', EXPORT_CREATE_PER_MINUTE: '1000' });
const LABELS = { LexJson: 'Lex V2', EddiZip: 'EDDI', KoreJson: 'Kore.ai' } as const;
type Target = keyof typeof LABELS;

const eddiBots = eddiCorpus().exports.map((e) => ({ name: e.name, platform: 'EddiZip' as Target, archive: e.archive }));
const koreBots = koreCorpus().exports.map((e) => ({ name: e.name, platform: 'KoreJson' as Target, archive: e.archive }));

async function koreImport(bearer: string, archive: Buffer): Promise<{ status: string; streamId?: string; failureReasons?: string[] }> {
  const form = new FormData();
  form.append('file', new Blob([archive]), 'export.zip');
  form.append('fileContext', 'bulkImport');
  form.append('fileExtension', 'zip');
  const { fileId } = (await (await fetch(`${stack.api.url}/api/public/uploadfile`, { method: 'POST', headers: { auth: bearer }, body: form })).json()) as {
    fileId: string;
  };
  const started = await call(stack.api, 'POST', '/api/public/bot/import', { headers: { auth: bearer }, body: { botDefinition: fileId } });
  for (let i = 0; i < 300; i++) {
    const res = await call(stack.api, 'GET', `/api/public/bot/import/status/${started.body._id}`, { headers: { auth: bearer } });
    if (res.body.status !== 'pending') return res.body;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('import still pending');
}

/** Imports an archive through the door of the platform whose format it is; the new bot's id. */
async function importThrough(platform: Target, bearer: string, archive: Buffer, botName: string): Promise<string> {
  if (platform === 'EddiZip') {
    const res = await fetch(`${stack.api.url}/backup/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/zip' },
      body: archive,
    });
    expect([res.status, res.status === 200 ? '' : await res.text()]).toEqual([200, '']);
    return /\/v1\/bots\/([0-9A-Za-z]{10})$/.exec(res.headers.get('location')!)![1];
  }
  if (platform === 'KoreJson') {
    const done = await koreImport(bearer, archive);
    expect([done.status, done.failureReasons]).toEqual(['success', undefined]);
    return done.streamId!;
  }
  const started = await startImport(stack.api, bearer, archive, { botImportSpecification: { botName } });
  const done = await waitForImport(stack.api, bearer, started.body.importId);
  expect([done.importStatus, done.failureReasons, done.importSummary?.format]).toEqual(['Completed', [], 'LexJson']);
  return done.importedResourceId;
}

async function nativeExport(bearer: string, botId: string, fileFormat: Target): Promise<{ notes: string[]; archive: Buffer }> {
  const created = await call(stack.api, 'POST', '/v1/exports', { token: bearer, body: { botId, fileFormat } });
  expect(created.status).toBe(202);
  for (let i = 0; i < 300; i++) {
    const res = await call(stack.api, 'GET', `/v1/exports/${created.body.exportId}`, { token: bearer });
    if (res.body.status !== 'InProgress') {
      expect([res.body.status, res.body.failureReasons]).toEqual(['Completed', []]);
      return { notes: res.body.notes, archive: (await download(res.body.downloadUrl)).data };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('export still in progress');
}

/** What Lex V2 has a place for, judged by kind and locale alone (an oracle apart from the formats' code). */
const lexHolds = (c: Component) => ['locale', 'intent', 'slotType'].includes(c.kind) && !c.locale!.startsWith('und_');
const key = (c: { kind: string; locale?: string; name: string }) => `${c.kind} ${c.locale ?? '-'} ${c.name}`;

describe.each([...eddiBots, ...koreBots].map((b) => [b.name, b] as const))('%s', (_name, bot) => {
  test.each((Object.keys(LABELS) as Target[]).filter((t) => t !== bot.platform))(
    'as %s: what fits comes along, the rest is named, and it imports back',
    async (target) => {
      const bearer = token(newTenant());
      const botId = await importThrough(bot.platform, bearer, bot.archive(), 'unused');
      const source: Component[] = (await draftOf(stack.api, bearer, botId)).components;

      const { notes, archive } = await nativeExport(bearer, botId, target);
      const held = source.filter((c) => (target === 'LexJson' ? lexHolds(c) : false)); // EDDI's and Kore's own parts have no place in the other's format
      const leftOut = notes.filter((n) => n.endsWith(` has no ${LABELS[target]} equivalent`));
      expect(leftOut.length).toBe(source.length - held.length);
      if (leftOut.length) expect(notes).toContainEqual(expect.stringMatching(new RegExp(`^left out what ${LABELS[target]} has no place for: `)));

      const backId = await importThrough(target, bearer, archive, `Carried_${target}`);
      const back: Component[] = (await draftOf(stack.api, bearer, backId)).components;
      if (target !== 'LexJson') return; // nothing of the source fits; the archive is the target's own and imports
      // Exactly what fitted, plus what Lex itself requires: its bot settings and, where the locale had none, a fallback intent.
      const renamed = new Map(
        notes.flatMap((n) => [...n.matchAll(/^intent '(.+)' \((\w+)\) is written as '(.+)', a name Lex accepts$/g)].map((m) => [`${m[1]} ${m[2]}`, m[3]])),
      );
      const expected = held.map((c) => key({ ...c, name: c.kind === 'intent' ? (renamed.get(`${c.name} ${c.locale}`) ?? c.name) : c.name }));
      const fallbacks = notes.flatMap((n) => [...(/^locale (\w+) had no fallback intent/.exec(n)?.slice(1, 2) ?? [])]);
      expected.push('botSettings - LexBot', ...fallbacks.map((l) => `intent ${l} FallbackIntent`));
      expect(back.map(key).sort()).toEqual(expected.sort());
      for (const c of held.filter((h) => h.kind === 'intent')) {
        const carried = back.find((b) => b.kind === 'intent' && b.locale === c.locale && b.name === (renamed.get(`${c.name} ${c.locale}`) ?? c.name))!;
        expect(carried.body.sampleUtterances).toEqual(c.body.sampleUtterances);
      }
    },
  );
});

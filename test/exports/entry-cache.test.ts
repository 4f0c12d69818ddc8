import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { CATEGORY_ITEMS, type Component, sweepEntryCache } from '@botport/shared';
import { call, createBotWith, newTenant, token, useApiAndWorker, waitForExport } from '../support/harness';
import { richBot } from '../support/fixtures';
import { download, unzip } from '../support/zip';

const stack = useApiAndWorker();
const FORMATS = ['BotportJson', 'LexJson'] as const;
const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const db = () => stack.api.ctx.db;

/** The rich bot with a few components large enough to be deflated on the pool's threads (small ones are deflated inline). */
function cachedBot(name: string) {
  const doc = richBot(name);
  const large = ['en_US', 'de_DE'].flatMap((locale) => [
    {
      kind: 'intent',
      locale,
      name: 'Large',
      body: { sampleUtterances: Array.from({ length: 400 }, (_, i) => ({ utterance: `I would like pizza number ${i} with extra ${i % 7} cheese` })) },
    },
    { kind: 'slotType', locale, name: 'Toppings', body: { values: Array.from({ length: 600 }, (_, i) => ({ value: `topping ${i}`, synonyms: [`t${i}`] })) } },
  ]) as Component[];
  return { ...doc, components: [...doc.components, ...large] };
}

interface Exported {
  done: any;
  data: Buffer;
  objectKey: string;
}

/** A Lex export to its end (the whole bot, or `localeId` of it), downloaded and checked against its size and SHA-256. */
async function exportOf(
  bearer: string,
  botId: string,
  botVersion: string,
  fileFormat: string,
  more: { filePassword?: string; localeId?: string; exportOptions?: object } = {},
): Promise<Exported> {
  const { localeId, ...rest } = more;
  const resourceSpecification = localeId
    ? { botLocaleExportSpecification: { botId, botVersion, localeId } }
    : { botExportSpecification: { botId, botVersion } };
  const created = await call(stack.api, 'PUT', '/exports/', { token: bearer, body: { resourceSpecification, fileFormat, ...rest } });
  expect(created.status).toBe(202);
  const done = await waitForExport(stack.api, bearer, created.body.exportId);
  expect(done).toMatchObject({ exportStatus: 'Completed', failureReasons: [] });
  const got = await download(done.downloadUrl);
  expect(got.status).toBe(200);
  expect([got.data.length, sha(got.data)]).toEqual([done.archiveSizeBytes, done.archiveSha256]);
  const { rows } = await db().query('SELECT object_key FROM export_jobs WHERE export_id = $1', [done.exportId]);
  return { done, data: got.data, objectKey: rows[0].object_key };
}

async function deleteExport(bearer: string, exportId: string): Promise<void> {
  expect((await call(stack.api, 'DELETE', `/exports/${exportId}/`, { token: bearer })).status).toBe(202);
  for (let i = 0; i < 200; i++) {
    if ((await call(stack.api, 'GET', `/exports/${exportId}/`, { token: bearer })).status === 404) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`export ${exportId} still there`);
}

const cacheRows = async (tenant: string) =>
  Number((await db().query('SELECT count(*) AS n FROM archive_entry_cache WHERE tenant_id = $1', [tenant])).rows[0].n);
/** Every row of the tenant last used two days ago: a read marks such a row used, so it shows the cache was read. */
const ageRows = (tenant: string, age = '2 days') =>
  db().query(`UPDATE archive_entry_cache SET used_at = now() - $2::interval WHERE tenant_id = $1`, [tenant, age]);
const staleRows = async (tenant: string) =>
  Number((await db().query(`SELECT count(*) AS n FROM archive_entry_cache WHERE tenant_id = $1 AND used_at < now() - interval '1 day'`, [tenant])).rows[0].n);
// Each test file has a database of its own (test/support/own-database.ts): truncating touches no other file's rows.
const loseCache = () => db().query('TRUNCATE archive_entry_cache');

/** Runs a tool on the archive written to a scratch file; its exit status and output. */
function runOn(archive: Buffer, run: (file: string, dir: string) => { status: number | null; stdout: string }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'botport-cache-'));
  try {
    const file = path.join(dir, 'a.zip');
    fs.writeFileSync(file, archive);
    return run(file, dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
const tool = (cmd: string, args: string[]) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8', input: '' });
  return { status: r.status, stdout: `${r.stdout}${r.stderr}` };
};
const unzipTest = (archive: Buffer) => runOn(archive, (file) => tool('unzip', ['-t', file]));
/** Python's zipfile: every entry read and its CRC checked (testzip), then each entry's name and SHA-256 printed. */
const PY_CHECK = `import hashlib, json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
assert z.testzip() is None
print(json.dumps({n: hashlib.sha256(z.read(n)).hexdigest() for n in z.namelist()}))`;
const pythonZip = (archive: Buffer) => runOn(archive, (file) => tool('python3', ['-c', PY_CHECK, file]));
const sevenZip = (archive: Buffer, password: string) =>
  runOn(archive, (file, dir) => {
    const r = tool('7z', ['x', '-y', `-p${password}`, `-o${path.join(dir, 'out')}`, file]);
    const out = path.join(dir, 'out');
    const files = fs.existsSync(out)
      ? Object.fromEntries(
          fs
            .readdirSync(out, { recursive: true })
            .map(String)
            .filter((f) => fs.statSync(path.join(out, f)).isFile())
            .map((f) => [f.split(path.sep).join('/'), sha(fs.readFileSync(path.join(out, f)))]),
        )
      : {};
    return { status: r.status, stdout: JSON.stringify(files) };
  });

async function entryHashes(archive: Buffer): Promise<Record<string, string>> {
  return Object.fromEntries([...(await unzip(archive))].map(([name, data]) => [name, sha(data)]));
}

/** The archive opens with unzip -t and Python's zipfile, which read the same entries as yauzl. */
async function expectOpens(archive: Buffer): Promise<void> {
  const tested = unzipTest(archive);
  expect([tested.status, tested.stdout]).toEqual([0, expect.stringContaining('No errors detected')]);
  const py = pythonZip(archive);
  expect(py.status).toBe(0);
  expect(JSON.parse(py.stdout)).toEqual(await entryHashes(archive));
}

describe('the archive entry cache and archive copies: the same bytes whichever way an archive is built', () => {
  test.each(FORMATS)('%s: cold, warm and copied exports of a published version are byte-identical, and a DRAFT alike', async (fileFormat) => {
    const tenant = newTenant();
    const bearer = token(tenant);
    const botId = await createBotWith(stack.api, bearer, cachedBot(`Cached${fileFormat}`), true);
    expect(await cacheRows(tenant)).toBe(0);

    // Cold: nothing cached; the build fills the cache.
    const cold = await exportOf(bearer, botId, '1', fileFormat);
    expect(await cacheRows(tenant)).toBeGreaterThan(0);
    await expectOpens(cold.data);

    // Warm: the cold one is gone (nothing to copy), so the archive is built again, from the cache.
    await deleteExport(bearer, cold.done.exportId);
    await ageRows(tenant);
    const warm = await exportOf(bearer, botId, '1', fileFormat);
    expect(await staleRows(tenant)).toBe(0); // every row was read (and so marked used)
    expect(warm.done.archiveSha256).toBe(cold.done.archiveSha256);
    expect(Buffer.compare(warm.data, cold.data)).toBe(0);
    expect(warm.done.notes).toEqual(cold.done.notes);

    // Copied: a repeat of the same version and options, with the cache lost — a build would fill it again, a copy does not.
    await loseCache();
    const copied = await exportOf(bearer, botId, '1', fileFormat);
    expect(await cacheRows(tenant)).toBe(0);
    expect(copied.objectKey).not.toBe(warm.objectKey);
    expect(copied.done.archiveSha256).toBe(cold.done.archiveSha256);
    expect(Buffer.compare(copied.data, cold.data)).toBe(0);
    expect(copied.done.notes).toEqual(cold.done.notes);

    // A DRAFT is never copied: cold (cache lost) and warm give the same bytes too.
    const draftCold = await exportOf(bearer, botId, 'DRAFT', fileFormat);
    expect(await cacheRows(tenant)).toBeGreaterThan(0);
    await ageRows(tenant);
    const draftWarm = await exportOf(bearer, botId, 'DRAFT', fileFormat);
    expect(await staleRows(tenant)).toBe(0);
    expect(Buffer.compare(draftWarm.data, draftCold.data)).toBe(0);
    await expectOpens(draftWarm.data);
  });

  test.each(FORMATS)('%s: a locale export built from rows a whole-bot export cached is the bytes a cold one gives', async (fileFormat) => {
    const tenant = newTenant();
    const bearer = token(tenant);
    const botId = await createBotWith(stack.api, bearer, cachedBot(`Locale${fileFormat}`));
    const localeExport = () => exportOf(bearer, botId, 'DRAFT', fileFormat, { localeId: 'de_DE' });
    const cold = await localeExport();
    await loseCache();
    await exportOf(bearer, botId, 'DRAFT', fileFormat); // caches every locale's rows
    await ageRows(tenant);
    const rows = await cacheRows(tenant);
    const warm = await localeExport();
    const stale = await staleRows(tenant);
    expect([stale > 0, stale < rows]).toEqual([true, true]); // de_DE's rows were read, the other locale's not
    expect(Buffer.compare(warm.data, cold.data)).toBe(0);
    expect(warm.done.notes).toEqual(cold.done.notes);
    await expectOpens(warm.data);
  });

  test('an export without utterances is cached apart from a full one, and warm or cold gives the same bytes', async () => {
    const tenant = newTenant();
    const bearer = token(tenant);
    const botId = await createBotWith(stack.api, bearer, cachedBot('Options'));
    const exportWith = async (exportOptions?: object) => (await exportOf(bearer, botId, 'DRAFT', 'LexJson', { exportOptions })).data;
    // Every category item but the sample utterances.
    const noUtterances = {
      categories: Object.fromEntries(
        Object.entries(CATEGORY_ITEMS).map(([category, items]) => [category, Object.keys(items).filter((i) => i !== 'utterances')]),
      ),
    };
    const full = await exportWith();
    // Warm for the full export's files, cold for the variant without utterances.
    const stripped = await exportWith(noUtterances);
    await loseCache();
    const strippedCold = await exportWith(noUtterances);
    expect(Buffer.compare(stripped, strippedCold)).toBe(0);
    expect(Buffer.compare(await exportWith(), full)).toBe(0);
    // Lex still writes each intent's (empty) sampleUtterances: the utterances' text is what must be gone.
    const utterance = 'I would like pizza number 7';
    expect([...(await unzip(stripped)).values()].some((d) => d.includes(utterance))).toBe(false);
    expect([...(await unzip(full)).values()].some((d) => d.includes(utterance))).toBe(true);
  });
});

describe('losing the cache or an earlier archive makes an export slower, never wrong', () => {
  test("a repeat export whose earlier archive's object is gone builds the archive again", async () => {
    const tenant = newTenant();
    const bearer = token(tenant);
    const botId = await createBotWith(stack.api, bearer, cachedBot('Lost'), true);
    const first = await exportOf(bearer, botId, '1', 'LexJson');
    await stack.api.ctx.storage.delete(first.objectKey);
    await loseCache();
    const repeat = await exportOf(bearer, botId, '1', 'LexJson');
    expect(repeat.done.archiveSha256).toBe(first.done.archiveSha256);
    expect(Buffer.compare(repeat.data, first.data)).toBe(0);
    expect(await cacheRows(tenant)).toBeGreaterThan(0); // built, not copied
  });

  test.each(FORMATS)('%s: a corrupted cache row is not written into an archive: the component is derived again and the row replaced', async (fileFormat) => {
    const tenant = newTenant();
    const bearer = token(tenant);
    const botId = await createBotWith(stack.api, bearer, cachedBot(`Corrupt${fileFormat}`));
    const cold = await exportOf(bearer, botId, 'DRAFT', fileFormat);
    // One row's payload swapped for another's (valid deflate, other content); one row's bytes flipped; one row cut short.
    const { rows } = await db().query<{ digest: Buffer; size: number }>(
      `SELECT digest, octet_length(payload) AS size FROM archive_entry_cache WHERE tenant_id = $1 ORDER BY octet_length(payload) DESC LIMIT 3`,
      [tenant],
    );
    expect(rows.length).toBe(3);
    await db().query(
      `UPDATE archive_entry_cache SET payload = (SELECT payload FROM archive_entry_cache WHERE tenant_id = $1 AND digest = $3) WHERE tenant_id = $1 AND digest = $2`,
      [tenant, rows[0].digest, rows[1].digest],
    );
    await db().query(`UPDATE archive_entry_cache SET payload = overlay(payload placing '\\xdeadbeef'::bytea from 20) WHERE tenant_id = $1 AND digest = $2`, [
      tenant,
      rows[1].digest,
    ]);
    await db().query(`UPDATE archive_entry_cache SET payload = substring(payload from 1 for 10) WHERE tenant_id = $1 AND digest = $2`, [
      tenant,
      rows[2].digest,
    ]);
    const again = await exportOf(bearer, botId, 'DRAFT', fileFormat);
    expect(again.done.archiveSha256).toBe(cold.done.archiveSha256);
    await expectOpens(again.data);
    // The rows are replaced by what was derived: the next export reads them whole.
    const third = await exportOf(bearer, botId, 'DRAFT', fileFormat);
    expect(third.done.archiveSha256).toBe(cold.done.archiveSha256);
    const sizes = await db().query<{ size: number }>(
      `SELECT octet_length(payload) AS size FROM archive_entry_cache WHERE tenant_id = $1 AND digest = ANY($2::bytea[]) ORDER BY size DESC`,
      [tenant, rows.map((r) => r.digest)],
    );
    expect(sizes.rows.map((r) => r.size)).toEqual(rows.map((r) => r.size));
  });
});

describe('exports that share an archive', () => {
  test('deleting either of two exports with one archive (the copy or the original) never breaks the other', async () => {
    const tenant = newTenant();
    const bearer = token(tenant);
    const botId = await createBotWith(stack.api, bearer, cachedBot('Shared'), true);
    const original = await exportOf(bearer, botId, '1', 'BotportJson');
    const copy = await exportOf(bearer, botId, '1', 'BotportJson');
    expect(copy.objectKey).not.toBe(original.objectKey);

    await deleteExport(bearer, copy.done.exportId);
    const head = (key: string) => stack.api.ctx.storage.client.send(new HeadObjectCommand({ Bucket: stack.api.ctx.storage.bucket, Key: key }));
    await expect(head(copy.objectKey)).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });
    const stillThere = await waitForExport(stack.api, bearer, original.done.exportId);
    expect(sha((await download(stillThere.downloadUrl)).data)).toBe(original.done.archiveSha256);

    // A copy of the original, then the original deleted: the copy stays whole.
    const second = await exportOf(bearer, botId, '1', 'BotportJson');
    await deleteExport(bearer, original.done.exportId);
    const described = await waitForExport(stack.api, bearer, second.done.exportId);
    const got = await download(described.downloadUrl);
    expect([got.status, sha(got.data)]).toEqual([200, original.done.archiveSha256]);
    // And a repeat after both earlier ones are gone copies the one left.
    const third = await exportOf(bearer, botId, '1', 'BotportJson');
    expect(third.done.archiveSha256).toBe(original.done.archiveSha256);
  });
});

describe('sweeping the cache', () => {
  test('rows no version references and unused past the seven-day history are swept; referenced or recently used rows are kept', async () => {
    const keptTenant = newTenant();
    const goneTenant = newTenant();
    const kept = await createBotWith(stack.api, token(keptTenant), cachedBot('Kept'), true);
    await exportOf(token(keptTenant), kept, 'DRAFT', 'BotportJson');
    // The same bot under another tenant: the same digests, cached apart.
    const gone = await createBotWith(stack.api, token(goneTenant), cachedBot('Kept'));
    await exportOf(token(goneTenant), gone, 'DRAFT', 'BotportJson');
    await exportOf(token(goneTenant), gone, 'DRAFT', 'LexJson');
    const keptRows = await cacheRows(keptTenant);
    const goneRows = await cacheRows(goneTenant);
    expect(keptRows).toBeGreaterThan(10);
    expect(goneRows).toBeGreaterThan(keptRows);

    // The second tenant's bot is deleted: its rows are referenced by no version of theirs (the first tenant's do not count).
    expect((await call(stack.api, 'DELETE', `/v1/bots/${gone}`, { token: token(goneTenant) })).status).toBe(204);
    await ageRows(keptTenant, '30 days');
    await ageRows(goneTenant, '6 days');
    expect(await sweepEntryCache(db(), 7)).toBe(0); // within the history
    expect([await cacheRows(keptTenant), await cacheRows(goneTenant)]).toEqual([keptRows, goneRows]);

    await ageRows(goneTenant, '7 days 1 hour');
    // A batch smaller than what goes: the sweep goes on until none is left.
    expect(await sweepEntryCache(db(), 7)).toBe(goneRows);
    expect([await cacheRows(keptTenant), await cacheRows(goneTenant)]).toEqual([keptRows, 0]);

    // A row whose component the DRAFT no longer has, while the published version does, is kept; one that no version has is swept.
    const bearer = token(keptTenant);
    const removed = await call(stack.api, 'DELETE', `/v1/bots/${kept}/versions/DRAFT/components/intent/Large?locale=en_US`, { token: bearer });
    expect(removed.status).toBe(204);
    await db().query(
      `INSERT INTO archive_entry_cache (tenant_id, variant, digest, files, payload, used_at) VALUES ($1, 'BotportJson/x', $2, '[]', '', now() - interval '8 days')`,
      [keptTenant, Buffer.alloc(32, 7)],
    );
    expect(await sweepEntryCache(db(), 100)).toBe(1);
    expect(await cacheRows(keptTenant)).toBe(keptRows);
  });
});

describe('encrypted archives from cached entries', () => {
  test.each(FORMATS)('%s: 7-Zip opens a password-protected export built from the cache, with the plain export’s files', async (fileFormat) => {
    expect(spawnSync('7z', ['i'], { stdio: 'ignore' }).status).toBe(0); // npm test installs p7zip-full where it may
    const tenant = newTenant();
    const bearer = token(tenant);
    const botId = await createBotWith(stack.api, bearer, cachedBot(`Sealed${fileFormat}`), true);
    const plain = await exportOf(bearer, botId, '1', fileFormat);
    await ageRows(tenant);
    const sealed = await exportOf(bearer, botId, '1', fileFormat, { filePassword: 'cache ✓ password' });
    expect(await staleRows(tenant)).toBe(0); // built from the cache, not copied
    const opened = sevenZip(sealed.data, 'cache ✓ password');
    expect(opened.status).toBe(0);
    expect(JSON.parse(opened.stdout)).toEqual(await entryHashes(plain.data));
    expect(sevenZip(sealed.data, 'wrong').status).not.toBe(0);
    // Encrypted archives are never copied: each has salts of its own.
    const again = await exportOf(bearer, botId, '1', fileFormat, { filePassword: 'cache ✓ password' });
    expect(again.done.archiveSha256).not.toBe(sealed.done.archiveSha256);
    expect(sevenZip(again.data, 'cache ✓ password').status).toBe(0);
  });
});

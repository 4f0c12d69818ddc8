import fs from 'node:fs';
import path from 'node:path';
import { call, newTenant, startImport, token, useApiAndWorker, waitForExport, waitForImport } from '../support/harness';
import { filesUnder, zipOf } from '../support/archives';
import { download, unzip } from '../support/zip';

/**
 * Every real Lex export in ../shared/corpus/lex (each folder with a
 * Manifest.json, and each original .zip) imports as a new bot with its
 * original name and exports again as LexJson with the same JSON files, each
 * deep-equal apart from `identifier` and `version`, which the importing
 * system assigns. A bot added to the corpus is tested without code changes.
 */
const CORPUS = path.resolve(__dirname, '../../../shared/corpus/lex');

function corpusArchives(): [string, () => Buffer][] {
  const files = fs.existsSync(CORPUS) ? [...filesUnder(CORPUS).keys()] : [];
  const folders = files.filter((f) => path.posix.basename(f) === 'Manifest.json').map((f) => path.posix.dirname(f));
  const fromFolders = folders.map((dir): [string, () => Buffer] => [dir, () => zipOf(filesUnder(path.join(CORPUS, dir)))]);
  const zips = files
    .filter((f) => f.endsWith('.zip'))
    .map((f): [string, () => Buffer] => [`${f} (Lex's own zip)`, () => fs.readFileSync(path.join(CORPUS, f))]);
  return [...fromFolders, ...zips];
}

/** A file's JSON without the fields the importing system assigns. */
function comparable(data: Buffer): unknown {
  const value = JSON.parse(data.toString('utf8'));
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    delete value.identifier;
    delete value.version;
  }
  return value;
}

const stack = useApiAndWorker({ EXPORT_CREATE_PER_MINUTE: '1000' });
const archives = corpusArchives();

test('the corpus is there', () => {
  expect(archives.length).toBeGreaterThanOrEqual(9);
});

describe.each(archives)('%s', (_name, make) => {
  test('imports as a new bot and re-exports as LexJson with the same JSON files', async () => {
    const bearer = token(newTenant());
    const original = await unzip(make());
    const botJsonPath = [...original.keys()].find((n) => /^[^/]+\/Bot\.json$/.test(n))!;
    const botName = JSON.parse(original.get(botJsonPath)!.toString('utf8')).name;

    const started = await startImport(stack.api, bearer, make(), { botImportSpecification: { botName } });
    expect(started.status).toBe(202);
    const imported = await waitForImport(stack.api, bearer, started.body.importId);
    expect(imported).toMatchObject({ importStatus: 'Completed', importedResourceName: botName, failureReasons: [], importSummary: { format: 'LexJson' } });

    const created = await call(stack.api, 'PUT', '/exports/', {
      token: bearer,
      body: { resourceSpecification: { botExportSpecification: { botId: imported.importedResourceId, botVersion: 'DRAFT' } }, fileFormat: 'LexJson' },
    });
    expect(created.status).toBe(202);
    const done = await waitForExport(stack.api, bearer, created.body.exportId);
    expect(done.exportStatus).toBe('Completed');
    expect(done.notes).toBeUndefined(); // nothing repaired, nothing left out
    const again = await unzip((await download(done.downloadUrl)).data);

    const json = (files: Map<string, Buffer>) => [...files.keys()].filter((n) => n.endsWith('.json')).sort();
    expect(json(again)).toEqual(json(original));
    for (const name of json(original)) expect([name, comparable(again.get(name)!)]).toEqual([name, comparable(original.get(name)!)]);
    // Files Lex's format does not define come back byte for byte.
    for (const name of [...original.keys()].filter((n) => !n.endsWith('.json'))) expect(again.get(name)).toEqual(original.get(name));
  });
});

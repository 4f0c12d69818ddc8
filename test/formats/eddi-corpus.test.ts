import { call, newTenant, token, useApiAndWorker } from '../support/harness';
import { zipOf } from '../support/archives';
import { eddiCorpus, roundTripDifferences, unzipAny } from '../support/corpus';
import { download } from '../support/zip';

/**
 * Every real EDDI export in ../shared/corpus/eddi (EDDI 4, 5 and 6 zips, and
 * the unpacked legacy tree EDDI keeps for its own tests, zipped as EDDI
 * writes it) goes through EDDI's own doors: POST /backup/import, then
 * POST /backup/export and the archive behind its Location. The re-export
 * must hold the same files with deep-equal JSON, apart from ids the importer
 * assigns (mapped consistently). An entry added to the corpus is tested
 * without code changes; what is not an export is named and shown refused.
 */
const stack = useApiAndWorker({ EDDI_IMPORT_WAIT_MS: '15000', EDDI_EXPORT_WAIT_MS: '15000', EXPORT_CREATE_PER_MINUTE: '1000' });
const { exports: archives, notExports } = eddiCorpus();

const postZip = (bearer: string, body: Buffer) =>
  fetch(`${stack.api.url}/backup/import`, { method: 'POST', headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/zip' }, body });

/** Third-party keys EDDI 5 exported in clear text: 32 hex digits under a key such as APPID or api_key, by JSON path. */
function clearKeys(value: unknown, at = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => clearKeys(v, `${at}[${i}]`));
  if (!value || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => {
    const path = at ? `${at}.${k}` : k;
    return typeof v === 'string' ? (/key|appid/i.test(k) && /^[0-9a-f]{32}$/.test(v) ? [path] : []) : clearKeys(v, path);
  });
}

test('the corpus is there: EDDI 4, 5 and 6 exports', () => {
  expect(archives.length).toBeGreaterThanOrEqual(21);
  expect(archives.map((e) => e.name)).toEqual(
    expect.arrayContaining([expect.stringMatching(/Agent\+Father-6\.0\.0\.zip$/), expect.stringMatching(/unpacked/)]),
  );
});

describe.each(archives.map((e) => [e.name, e] as const))('%s', (_name, corpusExport) => {
  test('imports through POST /backup/import and exports through POST /backup/export as the same EDDI files', async () => {
    const bearer = token(newTenant());
    const archive = corpusExport.archive();
    const original = await unzipAny(archive);

    const imported = await postZip(bearer, archive);
    const answer = await imported.text();
    expect([imported.status, answer]).toEqual([200, expect.any(String)]);
    const botId = /\/v1\/bots\/([0-9A-Za-z]{10})$/.exec(imported.headers.get('location') ?? '')?.[1];
    expect(botId).toBeDefined();
    const botFile = [...original.keys()].find((n) => /^[0-9a-f]{24}\.(bot|agent)\.json$/.test(n))!;
    const descriptor = JSON.parse(original.get(botFile.replace(/\.(bot|agent)\.json$/, '.descriptor.json'))!.toString());
    expect((await call(stack.api, 'GET', `/v1/bots/${botId}`, { token: bearer })).body.name).toBe(descriptor.name);

    // Keys EDDI 5 left in clear text stay as they are, and the import says where each one is.
    const expected = [...original].flatMap(([n, d]) => (n.endsWith('.json') ? clearKeys(JSON.parse(d.toString())) : [])).sort();
    const notes: string[] = answer ? JSON.parse(answer).notes : [];
    expect(notes.map((n) => /clear text at (\S+);/.exec(n)?.[1]).sort()).toEqual(expected);

    const exported = await call(stack.api, 'POST', `/backup/export/${botId}?botVersion=DRAFT`, { token: bearer });
    expect(exported.status).toBe(200);
    const path = new URL(exported.headers.get('location')!).pathname;
    const redirect = await fetch(stack.api.url + path, { headers: { authorization: `Bearer ${bearer}` }, redirect: 'manual' });
    expect(redirect.status).toBe(302);
    const again = await unzipAny((await download(redirect.headers.get('location')!)).data);
    expect(roundTripDifferences(original, again)).toEqual([]);
  });
});

describe.each(notExports.map((n) => [n.name, n] as const))('%s', (name, entry) => {
  test(`is not an export (${entry.reason}): skipped as one, and refused when sent as one`, async () => {
    const refused = await postZip(token(newTenant()), zipOf(new Map([[name.split('/').pop()!, entry.data()]])));
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: string }).error).toMatch(/^the import failed: the archive's format is unknown/);
  });
});

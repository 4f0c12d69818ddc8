import fs from 'node:fs';
import path from 'node:path';
import { call, newTenant, startImport, token, useApiAndWorker, waitForImport } from '../support/harness';
import { demoBot } from '../support/fixtures';
import { botportFiles, withManifest, zipOf } from '../support/archives';
import { eddiCorpus, koreCorpus } from '../support/corpus';

/**
 * An archive's format is recognised by what it holds, not by the door it
 * came through: botport's, Lex's, EDDI's and Kore's archives each import
 * through Lex's StartImport, the native /v1/imports, EDDI's /backup/import
 * and Kore's uploadfile + bot import alike.
 */
const stack = useApiAndWorker({ EDDI_IMPORT_WAIT_MS: '15000' });
const CORPUS = path.resolve(__dirname, '../../../shared/corpus');

const ARCHIVES: [string, () => Buffer][] = [
  ['BotportJson', () => zipOf(withManifest(botportFiles(demoBot('Native'))))],
  ['LexJson', () => fs.readFileSync(path.join(CORPUS, 'lex/aws-samples__amazon-lex-v2-dialogaction/Resource/BlogBot-3-YTZOBUF72Q-LexJson.zip'))],
  [
    'EddiZip',
    () =>
      eddiCorpus()
        .exports.find((e) => e.name.endsWith('Weather+Bot.zip'))!
        .archive(),
  ],
  ['KoreJson', () => koreCorpus().exports[0].archive()],
];

/** Each door: imports the archive as a new bot and answers with the import's format once it is done. */
const DOORS: [string, (bearer: string, archive: Buffer) => Promise<string>][] = [
  [
    'Lex StartImport',
    async (bearer, archive) => {
      const started = await startImport(stack.api, bearer, archive, { botImportSpecification: { botName: 'ViaLex' } });
      const done = await waitForImport(stack.api, bearer, started.body.importId);
      expect(done.failureReasons).toEqual([]);
      return done.importSummary.format;
    },
  ],
  [
    'native /v1/imports',
    async (bearer, archive) => {
      const res = await fetch(`${stack.api.url}/v1/imports`, {
        method: 'POST',
        headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/zip' },
        body: archive,
      });
      const { importId } = (await res.json()) as { importId: string };
      const done = await waitForImport(stack.api, bearer, importId);
      expect(done.failureReasons).toEqual([]);
      return done.importSummary.format;
    },
  ],
  [
    'EDDI /backup/import',
    async (bearer, archive) => {
      const res = await fetch(`${stack.api.url}/backup/import`, {
        method: 'POST',
        headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/zip' },
        body: archive,
      });
      expect(res.status).toBe(200);
      const imports = await call(stack.api, 'GET', '/v1/imports', { token: bearer });
      return imports.body.imports[0].summary.format;
    },
  ],
  [
    'Kore uploadfile + bot import',
    async (bearer, archive) => {
      const form = new FormData();
      form.append('file', new Blob([archive]), 'bot.zip');
      form.append('fileContext', 'bulkImport');
      form.append('fileExtension', 'zip');
      const upload = (await (await fetch(`${stack.api.url}/api/public/uploadfile`, { method: 'POST', headers: { auth: bearer }, body: form })).json()) as {
        fileId: string;
      };
      await call(stack.api, 'POST', '/api/public/bot/import', { headers: { auth: bearer }, body: { botDefinition: upload.fileId } });
      const done = await waitForImport(stack.api, bearer, upload.fileId);
      expect(done.failureReasons).toEqual([]);
      return done.importSummary.format;
    },
  ],
];

describe.each(DOORS)('through %s', (_door, importThrough) => {
  test.each(ARCHIVES)('a %s archive is recognised by its content', async (format, archive) => {
    expect(await importThrough(token(newTenant()), archive())).toBe(format);
  });
});

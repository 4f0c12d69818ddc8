import { createBotWith, newTenant, token, useApiAndWorker } from '../support/harness';
import { AWS_CLI, awsEnv, run } from '../support/aws-clients';
import { createCredential, type IssuedCredential } from '../support/credentials';
import { demoBot } from '../support/fixtures';
import { download, unzip } from '../support/zip';

/**
 * Debian's AWS CLI (`awscli`, v2) against botport, as its README shows it:
 * `--endpoint-url` and a credential in the environment, nothing else.
 */
const stack = useApiAndWorker();

let credential: IssuedCredential;
let botId: string;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  const admin = token(newTenant());
  botId = await createBotWith(stack.api, admin, demoBot(), true);
  credential = await createCredential(stack.api, admin, { name: 'aws cli' });
  env = awsEnv(credential.signIn.aws, 'ap-southeast-2');
});

const lex = (...args: string[]) => run(AWS_CLI, ['lexv2-models', ...args, '--endpoint-url', stack.api.url, '--output', 'json'], env);

async function ok(...args: string[]): Promise<any> {
  const r = await lex(...args);
  if (r.status !== 0) throw new Error(`aws lexv2-models ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.json;
}

async function settled(operation: string, idFlag: string, id: string, field: string): Promise<any> {
  for (let i = 0; i < 100; i++) {
    const state = await ok(operation, idFlag, id);
    if (state[field] !== 'InProgress') return state;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${id} still InProgress`);
}

test('the bot reads a client makes before exporting', async () => {
  const bots = await ok('list-bots', '--filters', 'name=BotName,values=PizzaBot,operator=EQ');
  expect(bots.botSummaries).toEqual([expect.objectContaining({ botId, botName: 'PizzaBot', latestBotVersion: '1', botStatus: 'Available' })]);
  expect((await ok('describe-bot', '--bot-id', botId)).botName).toBe('PizzaBot');
  expect((await ok('list-bot-versions', '--bot-id', botId)).botVersionSummaries.map((v: { botVersion: string }) => v.botVersion)).toEqual(['DRAFT', '1']);
  const locales = await ok('list-bot-locales', '--bot-id', botId, '--bot-version', '1');
  expect(locales.botLocaleSummaries.map((l: { localeId: string }) => l.localeId).sort()).toEqual(['de_DE', 'en_US']);
  expect(await ok('describe-bot-locale', '--bot-id', botId, '--bot-version', '1', '--locale-id', 'de_DE')).toMatchObject({
    localeId: 'de_DE',
    localeName: 'German (Germany)',
    intentsCount: 3,
  });
});

test('create-export, describe-export, list-exports, update-export, delete-export', async () => {
  const created = await ok(
    'create-export',
    '--resource-specification',
    JSON.stringify({ botExportSpecification: { botId, botVersion: '1' } }),
    '--file-format',
    'LexJson',
  );
  expect(created.exportStatus).toBe('InProgress');
  const done = await settled('describe-export', '--export-id', created.exportId, 'exportStatus');
  expect(done.exportStatus).toBe('Completed');
  const files = await unzip((await download(done.downloadUrl)).data);
  expect([...files.keys()].some((f) => f.endsWith('Bot.json'))).toBe(true);

  const listed = await ok('list-exports', '--bot-id', botId);
  expect(listed.exportSummaries.map((s: { exportId: string }) => s.exportId)).toEqual([created.exportId]);
  expect((await ok('update-export', '--export-id', created.exportId, '--file-password', 'secret words')).exportStatus).toBe('InProgress');
  await settled('describe-export', '--export-id', created.exportId, 'exportStatus');
  expect((await ok('delete-export', '--export-id', created.exportId)).exportStatus).toBe('Deleting');
});

test('create-upload-url, start-import, describe-import, list-imports, delete-import', async () => {
  const exported = await ok(
    'create-export',
    '--resource-specification',
    JSON.stringify({ botLocaleExportSpecification: { botId, botVersion: '1', localeId: 'en_US' } }),
    '--file-format',
    'LexJson',
  );
  const archive = (await download((await settled('describe-export', '--export-id', exported.exportId, 'exportStatus')).downloadUrl)).data;
  const upload = await ok('create-upload-url');
  expect((await fetch(upload.uploadUrl, { method: 'PUT', body: archive })).status).toBe(200);
  const started = await ok(
    'start-import',
    '--import-id',
    upload.importId,
    '--resource-specification',
    JSON.stringify({ botLocaleImportSpecification: { botId, botVersion: 'DRAFT', localeId: 'en_US' } }),
    '--merge-strategy',
    'Overwrite',
  );
  expect(started.importStatus).toBe('InProgress');
  expect(await settled('describe-import', '--import-id', upload.importId, 'importStatus')).toMatchObject({
    importStatus: 'Completed',
    importedResourceId: botId,
  });
  expect((await ok('list-imports')).importSummaries.map((s: { importId: string }) => s.importId)).toContain(upload.importId);
  expect((await ok('delete-import', '--import-id', upload.importId)).importStatus).toBe('Deleting');
});

test("errors reach the CLI as AWS's: exit status 254 and the error's name and message", async () => {
  const missing = await lex('describe-export', '--export-id', 'ZZZZZZZZZZ');
  expect(missing.status).toBe(254);
  expect(missing.stderr).toMatch(/An error occurred \(ResourceNotFoundException\) when calling the DescribeExport operation: .*ZZZZZZZZZZ/);

  const invalid = await lex('describe-bot-locale', '--bot-id', botId, '--bot-version', 'latest', '--locale-id', 'en_US');
  expect(invalid.status).toBe(254);
  expect(invalid.stderr).toMatch(/\(ValidationException\) when calling the DescribeBotLocale operation: .*botVersion/);

  const wrongSecret = await run(
    AWS_CLI,
    ['lexv2-models', 'list-bots', '--endpoint-url', stack.api.url],
    awsEnv({ ...credential.signIn.aws, secretAccessKey: 'wrong' }),
  );
  expect(wrongSecret.status).toBe(254);
  expect(wrongSecret.stderr).toMatch(/\(InvalidSignatureException\) when calling the ListBots operation: The request signature we calculated does not match/);
});

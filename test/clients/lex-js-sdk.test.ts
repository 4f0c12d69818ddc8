import {
  ConflictException,
  CreateExportCommand,
  CreateUploadUrlCommand,
  DeleteExportCommand,
  DeleteImportCommand,
  DescribeBotCommand,
  DescribeBotLocaleCommand,
  DescribeExportCommand,
  DescribeImportCommand,
  LexModelsV2Client,
  LexModelsV2ServiceException,
  ListBotLocalesCommand,
  ListBotsCommand,
  ListBotVersionsCommand,
  ListExportsCommand,
  ListImportsCommand,
  ResourceNotFoundException,
  StartImportCommand,
  UpdateExportCommand,
  ValidationException,
} from '@aws-sdk/client-lex-models-v2';
import { createBotWith, newTenant, token, useApiAndWorker } from '../support/harness';
import { createCredential, type IssuedCredential } from '../support/credentials';
import { demoBot } from '../support/fixtures';
import { download, unzip } from '../support/zip';

/**
 * The official AWS SDK for JavaScript, exactly as an integration uses it:
 * an endpoint and a credential pair, no middleware. Every request is signed
 * with SigV4 by the SDK and verified by botport.
 */
const stack = useApiAndWorker();

function lexClient(credential: { accessKeyId: string; secretAccessKey: string }, region = 'eu-central-1'): LexModelsV2Client {
  return new LexModelsV2Client({ endpoint: stack.api.url, region, credentials: credential, maxAttempts: 1 });
}

async function until<T extends { exportStatus?: string; importStatus?: string }>(read: () => Promise<T>): Promise<T> {
  let value = await read();
  for (let i = 0; i < 300 && (value.exportStatus ?? value.importStatus) === 'InProgress'; i++) {
    await new Promise((r) => setTimeout(r, 50));
    value = await read();
  }
  return value;
}

let admin: string;
let credential: IssuedCredential;
let botId: string;
beforeAll(async () => {
  admin = token(newTenant());
  botId = await createBotWith(stack.api, admin, demoBot(), true);
  credential = await createCredential(stack.api, admin, { name: 'js sdk' });
});

test('the bot reads: ListBots, DescribeBot, ListBotVersions, ListBotLocales, DescribeBotLocale', async () => {
  const lex = lexClient(credential.signIn.aws);
  try {
    const listed = await lex.send(new ListBotsCommand({ filters: [{ name: 'BotName', values: ['Pizza'], operator: 'CO' }] }));
    expect(listed.botSummaries).toEqual([
      expect.objectContaining({ botId, botName: 'PizzaBot', botStatus: 'Available', latestBotVersion: '1', botType: 'Bot' }),
    ]);
    expect(listed.botSummaries?.[0].lastUpdatedDateTime).toBeInstanceOf(Date);

    const bot = await lex.send(new DescribeBotCommand({ botId }));
    expect(bot).toMatchObject({ botId, botName: 'PizzaBot', botStatus: 'Available', description: 'Orders pizza in English and German' });
    expect(bot.creationDateTime).toBeInstanceOf(Date);

    const versions = await lex.send(new ListBotVersionsCommand({ botId }));
    expect(versions.botVersionSummaries?.map((v) => v.botVersion)).toEqual(['DRAFT', '1']);

    const locales = await lex.send(new ListBotLocalesCommand({ botId, botVersion: '1' }));
    expect(locales.botLocaleSummaries?.map((l) => [l.localeId, l.botLocaleStatus])).toEqual([
      ['en_US', 'Built'], // by name: English (United States), German (Germany)
      ['de_DE', 'Built'],
    ]);

    const locale = await lex.send(new DescribeBotLocaleCommand({ botId, botVersion: '1', localeId: 'en_US' }));
    expect(locale).toMatchObject({ botId, botVersion: '1', localeId: 'en_US', localeName: 'English (United States)', intentsCount: 3, slotTypesCount: 2 });

    await expect(lex.send(new DescribeBotCommand({ botId: 'ZZZZZZZZZZ' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(lex.send(new DescribeBotLocaleCommand({ botId, botVersion: '1', localeId: 'fr_FR' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  } finally {
    lex.destroy();
  }
});

test('every export operation, with typed errors', async () => {
  const lex = lexClient(credential.signIn.aws, 'us-west-2');
  try {
    const spec = { botLocaleExportSpecification: { botId, botVersion: '1', localeId: 'en_US' } };
    const created = await lex.send(new CreateExportCommand({ resourceSpecification: spec, fileFormat: 'LexJson' }));
    expect(created).toMatchObject({ exportStatus: 'InProgress', fileFormat: 'LexJson' });
    expect(created.creationDateTime).toBeInstanceOf(Date);
    await expect(lex.send(new CreateExportCommand({ resourceSpecification: spec, fileFormat: 'LexJson' }))).rejects.toBeInstanceOf(ConflictException);

    let described = await until(() => lex.send(new DescribeExportCommand({ exportId: created.exportId })));
    expect(described).toMatchObject({ exportStatus: 'Completed', failureReasons: [] });
    expect(described.resourceSpecification?.botLocaleExportSpecification).toEqual(spec.botLocaleExportSpecification);
    const files = await unzip((await download(described.downloadUrl!)).data);
    expect([...files.keys()].some((f) => f.endsWith('Intents/OrderPizza/Intent.json'))).toBe(true);

    const listed = await lex.send(new ListExportsCommand({ botId, sortBy: { attribute: 'LastUpdatedDateTime', order: 'Descending' } }));
    expect(listed.exportSummaries?.map((s) => s.exportId)).toEqual([created.exportId]);

    const updated = await lex.send(new UpdateExportCommand({ exportId: created.exportId, filePassword: 'a new password' }));
    expect(updated.exportStatus).toBe('InProgress');
    await expect(lex.send(new DeleteExportCommand({ exportId: created.exportId }))).rejects.toBeInstanceOf(ConflictException);
    described = await until(() => lex.send(new DescribeExportCommand({ exportId: created.exportId })));
    expect(described.exportStatus).toBe('Completed');
    expect((await lex.send(new DeleteExportCommand({ exportId: created.exportId }))).exportStatus).toBe('Deleting');

    await expect(lex.send(new DescribeExportCommand({ exportId: 'ZZZZZZZZZZ' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    const invalid = await lex
      .send(new CreateExportCommand({ resourceSpecification: { botExportSpecification: { botId, botVersion: 'nope' } }, fileFormat: 'LexJson' }))
      .catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(ValidationException);
    expect((invalid as Error).message).toMatch(/botVersion/);
  } finally {
    lex.destroy();
  }
});

test('every import operation: CreateUploadUrl, the upload, StartImport, DescribeImport, ListImports, DeleteImport', async () => {
  const lex = lexClient(credential.signIn.aws);
  try {
    const exported = await lex.send(
      new CreateExportCommand({ resourceSpecification: { botExportSpecification: { botId, botVersion: 'DRAFT' } }, fileFormat: 'LexJson' }),
    );
    const done = await until(() => lex.send(new DescribeExportCommand({ exportId: exported.exportId })));
    const archive = (await download(done.downloadUrl!)).data;

    const upload = await lex.send(new CreateUploadUrlCommand({}));
    expect(upload.importId).toMatch(/^[0-9A-Za-z]{10}$/);
    expect((await fetch(upload.uploadUrl!, { method: 'PUT', body: archive })).status).toBe(200);
    const started = await lex.send(
      new StartImportCommand({
        importId: upload.importId,
        resourceSpecification: {
          botImportSpecification: {
            botName: 'PizzaCopy',
            roleArn: 'arn:aws:iam::123456789012:role/LexImportRole',
            dataPrivacy: { childDirected: false },
            idleSessionTTLInSeconds: 300,
          },
        },
        mergeStrategy: 'FailOnConflict',
      }),
    );
    expect(started.importStatus).toBe('InProgress');
    const imported = await until(() => lex.send(new DescribeImportCommand({ importId: upload.importId })));
    expect(imported).toMatchObject({ importStatus: 'Completed', importedResourceName: 'PizzaCopy' });
    const copy = await lex.send(new DescribeBotCommand({ botId: imported.importedResourceId }));
    expect(copy.botName).toBe('PizzaCopy');

    const listed = await lex.send(new ListImportsCommand({}));
    expect(listed.importSummaries?.map((s) => s.importId)).toContain(upload.importId);
    expect((await lex.send(new DeleteImportCommand({ importId: upload.importId }))).importStatus).toBe('Deleting');
    await expect(lex.send(new DescribeImportCommand({ importId: 'ZZZZZZZZZZ' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  } finally {
    lex.destroy();
  }
});

test("a wrong secret, an unknown key and a revoked key are refused with AWS's own errors", async () => {
  const wrong = lexClient({ accessKeyId: credential.credentialId, secretAccessKey: 'not-the-secret' });
  const unknown = lexClient({ accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: credential.secret });
  const revocable = await createCredential(stack.api, admin, { name: 'to revoke' });
  const revoked = lexClient(revocable.signIn.aws);
  try {
    const mismatch = (await wrong.send(new ListBotsCommand({})).catch((e: unknown) => e)) as LexModelsV2ServiceException;
    expect(mismatch).toBeInstanceOf(LexModelsV2ServiceException);
    expect([mismatch.name, mismatch.$metadata.httpStatusCode]).toEqual(['InvalidSignatureException', 403]);
    expect(mismatch.message).toMatch(/^The request signature we calculated does not match the signature you provided/);

    const notFound = (await unknown.send(new ListBotsCommand({})).catch((e: unknown) => e)) as LexModelsV2ServiceException;
    expect([notFound.name, notFound.message]).toEqual(['UnrecognizedClientException', 'The security token included in the request is invalid.']);

    expect((await revoked.send(new ListBotsCommand({}))).botSummaries?.map((b) => b.botName)).toContain('PizzaBot');
    const { call } = await import('../support/harness');
    expect((await call(stack.api, 'DELETE', `/v1/credentials/${revocable.credentialId}`, { token: admin })).status).toBe(200);
    const refused = (await revoked.send(new ListBotsCommand({})).catch((e: unknown) => e)) as LexModelsV2ServiceException;
    expect(refused.name).toBe('UnrecognizedClientException');
  } finally {
    [wrong, unknown, revoked].forEach((c) => c.destroy());
  }
});

test("a signature older than AWS's 15 minutes is expired, as AWS words it", async () => {
  const skewed = new LexModelsV2Client({
    endpoint: stack.api.url,
    region: 'us-east-1',
    credentials: credential.signIn.aws,
    maxAttempts: 1,
    systemClockOffset: -16 * 60 * 1000, // the client's clock 16 minutes behind
  });
  try {
    const expired = (await skewed.send(new ListBotsCommand({})).catch((e: unknown) => e)) as LexModelsV2ServiceException;
    expect(expired.name).toBe('InvalidSignatureException');
    expect(expired.message).toMatch(/^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)$/);
  } finally {
    skewed.destroy();
  }
});

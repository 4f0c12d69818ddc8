import {
  CreateExportCommand,
  DeleteExportCommand,
  DescribeExportCommand,
  LexModelsV2Client,
  ListExportsCommand,
  ResourceNotFoundException,
  UpdateExportCommand,
  ValidationException,
  ConflictException,
} from '@aws-sdk/client-lex-models-v2';
import { call, createBotWith, newTenant, token, useApiAndWorker } from '../support/harness';
import { demoBot } from '../support/fixtures';
import { download, unzip } from '../support/zip';

const stack = useApiAndWorker();

/** The official client, pointed at botport; after SigV4 signing, our bearer token replaces its Authorization. */
function lexClient(bearer: string): LexModelsV2Client {
  const client = new LexModelsV2Client({
    endpoint: stack.api.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    maxAttempts: 1,
  });
  client.middlewareStack.addRelativeTo(
    (next: (args: any) => Promise<any>) => async (args: any) => {
      args.request.headers.authorization = `Bearer ${bearer}`;
      return next(args);
    },
    { relation: 'after', toMiddleware: 'httpSigningMiddleware', name: 'botportBearer', override: true },
  );
  return client;
}

test('the AWS SDK drives CreateExport, DescribeExport, ListExports, UpdateExport and DeleteExport', async () => {
  const bearer = token(newTenant());
  const botId = await createBotWith(stack.api, bearer, demoBot(), true);
  const lex = lexClient(bearer);
  try {
    const created = await lex.send(
      new CreateExportCommand({
        resourceSpecification: { botLocaleExportSpecification: { botId, botVersion: '1', localeId: 'en_US' } },
        fileFormat: 'BotportJson' as never,
      }),
    );
    expect(created.exportStatus).toBe('InProgress');
    expect(created.exportId).toMatch(/^[0-9A-Za-z]{10}$/);
    expect(created.creationDateTime).toBeInstanceOf(Date);

    await expect(
      lex.send(
        new CreateExportCommand({
          resourceSpecification: { botLocaleExportSpecification: { botId, botVersion: '1', localeId: 'en_US' } },
          fileFormat: 'BotportJson' as never,
        }),
      ),
    ).rejects.toBeInstanceOf(ConflictException);

    let described = await lex.send(new DescribeExportCommand({ exportId: created.exportId }));
    for (let i = 0; i < 200 && described.exportStatus === 'InProgress'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      described = await lex.send(new DescribeExportCommand({ exportId: created.exportId }));
    }
    expect(described).toMatchObject({ exportStatus: 'Completed', fileFormat: 'BotportJson', failureReasons: [] });
    expect(described.resourceSpecification?.botLocaleExportSpecification).toEqual({ botId, botVersion: '1', localeId: 'en_US' });
    expect(described.lastUpdatedDateTime).toBeInstanceOf(Date);
    const files = await unzip((await download(described.downloadUrl!)).data);
    expect(files.has('locales/en_US/intent/OrderPizza.json')).toBe(true);

    const listed = await lex.send(new ListExportsCommand({ botId, maxResults: 10, sortBy: { attribute: 'LastUpdatedDateTime', order: 'Descending' } }));
    expect(listed.exportSummaries?.map((s) => s.exportId)).toEqual([created.exportId]);
    expect(listed.exportSummaries?.[0].creationDateTime).toBeInstanceOf(Date);

    // UpdateExport builds the archive again (here: with a password), as Lex does.
    const updated = await lex.send(new UpdateExportCommand({ exportId: created.exportId, filePassword: 'a new password' }));
    expect(updated.exportStatus).toBe('InProgress');
    await expect(lex.send(new DeleteExportCommand({ exportId: created.exportId }))).rejects.toBeInstanceOf(ConflictException);
    described = await lex.send(new DescribeExportCommand({ exportId: created.exportId }));
    for (let i = 0; i < 200 && described.exportStatus === 'InProgress'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      described = await lex.send(new DescribeExportCommand({ exportId: created.exportId }));
    }
    expect(described.exportStatus).toBe('Completed');

    const deleted = await lex.send(new DeleteExportCommand({ exportId: created.exportId }));
    expect(deleted.exportStatus).toBe('Deleting');

    await expect(lex.send(new DescribeExportCommand({ exportId: 'ZZZZZZZZZZ' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    const invalid = await lex
      .send(new CreateExportCommand({ resourceSpecification: { botExportSpecification: { botId, botVersion: 'nope' } }, fileFormat: 'BotportJson' as never }))
      .catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(ValidationException);
    expect((invalid as Error).message).toMatch(/botVersion/);
  } finally {
    lex.destroy();
  }
  expect((await call(stack.api, 'GET', '/healthz')).status).toBe(200);
});

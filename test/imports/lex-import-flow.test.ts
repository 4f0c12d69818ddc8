import { uploadObjectKey } from '@botport/shared';
import { call, createBotWith, draftOf, newTenant, startImport, token, useApiAndWorker, waitForExport, waitForImport } from '../support/harness';
import { canonical, demoBot, richBot } from '../support/fixtures';
import { download, unzip } from '../support/zip';

const stack = useApiAndWorker();

async function exportArchive(bearer: string, botId: string, localeId?: string): Promise<Buffer> {
  const resourceSpecification = localeId
    ? { botLocaleExportSpecification: { botId, botVersion: 'DRAFT', localeId } }
    : { botExportSpecification: { botId, botVersion: 'DRAFT' } };
  const created = await call(stack.api, 'PUT', '/exports/', { token: bearer, body: { resourceSpecification, fileFormat: 'BotportJson' } });
  expect(created.status).toBe(202);
  const done = await waitForExport(stack.api, bearer, created.body.exportId);
  expect(done.exportStatus).toBe('Completed');
  return (await download(done.downloadUrl)).data;
}

/** The component entries of an archive, by path: what "the definition document" is made of. */
async function componentFiles(archive: Buffer): Promise<Record<string, string>> {
  const files = await unzip(archive);
  return Object.fromEntries([...files].filter(([name]) => name !== 'manifest.json').map(([name, data]) => [name, data.toString('utf8')]));
}

async function importAndWait(bearer: string, archive: Buffer, spec: object, mergeStrategy = 'FailOnConflict') {
  const started = await startImport(stack.api, bearer, archive, spec, mergeStrategy);
  expect(started.status).toBe(202);
  return waitForImport(stack.api, bearer, started.body.importId);
}

describe('Lex import flow: CreateUploadUrl → upload → StartImport → DescribeImport', () => {
  test('round trip: a rich bot exported, imported as a new bot and exported again gives the same document', async () => {
    const bearer = token(newTenant());
    const doc = richBot();
    const botId = await createBotWith(stack.api, bearer, doc);
    const first = await exportArchive(bearer, botId);

    const upload = await call(stack.api, 'POST', '/createuploadurl/', { token: bearer });
    expect(upload.status).toBe(200);
    expect(upload.body.importId).toMatch(/^[0-9A-Za-z]{10}$/);
    expect(new URL(upload.body.uploadUrl).searchParams.get('X-Amz-Expires')).toBe('300');
    expect((await fetch(upload.body.uploadUrl, { method: 'PUT', body: first })).status).toBe(200);
    const spec = {
      botImportSpecification: {
        botName: 'RichBot Copy',
        roleArn: 'arn:aws:iam::1:role/x',
        dataPrivacy: { childDirected: false },
        idleSessionTTLInSeconds: 300,
      },
    };
    const started = await call(stack.api, 'PUT', '/imports/', {
      token: bearer,
      body: { importId: upload.body.importId, resourceSpecification: spec, mergeStrategy: 'FailOnConflict' },
    });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({
      importId: upload.body.importId,
      importStatus: 'InProgress',
      mergeStrategy: 'FailOnConflict',
      resourceSpecification: spec,
    });
    expect(typeof started.body.creationDateTime).toBe('number');

    const done = await waitForImport(stack.api, bearer, upload.body.importId);
    expect(done).toMatchObject({
      importStatus: 'Completed',
      importedResourceName: 'RichBot Copy',
      failureReasons: [],
      progress: 100,
      importSummary: { format: 'BotportJson', added: doc.components.length, replaced: 0, kept: 0, botCreated: true },
    });
    expect(done.importedResourceId).not.toBe(botId);

    const copy = await draftOf(stack.api, bearer, done.importedResourceId);
    expect(copy.bot).toEqual({ name: 'RichBot Copy', description: doc.bot.description });
    expect(canonical(copy.components)).toEqual(canonical(doc.components));
    // An import never publishes.
    const versions = await call(stack.api, 'GET', `/v1/bots/${done.importedResourceId}/versions`, { token: bearer });
    expect(versions.body.versions.map((v: { version: string }) => v.version)).toEqual(['DRAFT']);

    const second = await exportArchive(bearer, done.importedResourceId);
    const [a, b] = [await componentFiles(first), await componentFiles(second)];
    expect(JSON.parse(b['bot.json'])).toEqual({ name: 'RichBot Copy', description: doc.bot.description });
    delete a['bot.json'];
    delete b['bot.json'];
    expect(b).toEqual(a);
  });

  test("a locale imports into an existing bot's DRAFT and touches nothing else", async () => {
    const bearer = token(newTenant());
    const source = await createBotWith(stack.api, bearer, demoBot('Source'));
    const archive = await exportArchive(bearer, source);
    const full = demoBot('Target');
    const target = await createBotWith(stack.api, bearer, { ...full, components: full.components.filter((c) => c.locale !== 'de_DE') });

    const done = await importAndWait(bearer, archive, { botLocaleImportSpecification: { botId: target, botVersion: 'DRAFT', localeId: 'de_DE' } });
    expect(done).toMatchObject({ importStatus: 'Completed', importedResourceId: target, importedResourceName: 'de_DE' });
    expect(done.resourceSpecification).toEqual({ botLocaleImportSpecification: { botId: target, botVersion: 'DRAFT', localeId: 'de_DE' } });
    const after = await draftOf(stack.api, bearer, target);
    expect(canonical(after.components)).toEqual(canonical(full.components));
  });

  test('ListImports filters and pages; DeleteImport removes the job and its upload but not the bot', async () => {
    const tenant = newTenant();
    const bearer = token(tenant);
    const botId = await createBotWith(stack.api, bearer, demoBot('Listed'));
    const archive = await exportArchive(bearer, botId);
    const whole = await importAndWait(bearer, archive, { botImportSpecification: { botName: 'Listed Copy' } });
    const locale = await importAndWait(bearer, archive, { botLocaleImportSpecification: { botId, botVersion: 'DRAFT', localeId: 'en_US' } }, 'Overwrite');

    const all = await call(stack.api, 'POST', '/imports/', { token: bearer, body: { sortBy: { attribute: 'LastUpdatedDateTime', order: 'Ascending' } } });
    expect(all.status).toBe(200);
    expect(all.body.importSummaries.map((s: { importId: string }) => s.importId)).toEqual([whole.importId, locale.importId]);
    expect(all.body.importSummaries[1]).toMatchObject({
      importStatus: 'Completed',
      mergeStrategy: 'Overwrite',
      importedResourceType: 'BotLocale',
      importedResourceId: botId,
    });

    const page = await call(stack.api, 'POST', '/imports/', { token: bearer, body: { maxResults: 1 } });
    expect(page.body.importSummaries).toHaveLength(1);
    const next = await call(stack.api, 'POST', '/imports/', { token: bearer, body: { maxResults: 1, nextToken: page.body.nextToken } });
    expect(next.body.importSummaries[0].importId).not.toBe(page.body.importSummaries[0].importId);
    expect(next.body.nextToken).toBeUndefined();

    const bots = await call(stack.api, 'POST', '/imports/', {
      token: bearer,
      body: { filters: [{ name: 'ImportResourceType', values: ['Bot'], operator: 'EQ' }] },
    });
    expect(bots.body.importSummaries.map((s: { importId: string }) => s.importId)).toEqual([whole.importId]);
    const byBot = await call(stack.api, 'POST', '/imports/', { token: bearer, body: { botId } });
    expect(byBot.body.importSummaries.map((s: { importId: string }) => s.importId)).toEqual([locale.importId]);
    const otherTenant = await call(stack.api, 'POST', '/imports/', { token: token(newTenant()), body: {} });
    expect(otherTenant.body.importSummaries).toEqual([]);

    await stack.worker.pause();
    const deleted = await call(stack.api, 'DELETE', `/imports/${whole.importId}/`, { token: bearer });
    expect(deleted.status).toBe(202);
    expect(deleted.body).toEqual({ importId: whole.importId, importStatus: 'Deleting' });
    // Deleting until the worker has removed it, as Lex answers; then not found.
    let described = await call(stack.api, 'GET', `/imports/${whole.importId}/`, { token: bearer });
    expect([described.status, described.body.importStatus]).toEqual([200, 'Deleting']);
    stack.worker.resume();
    for (let i = 0; described.status === 200; i++) {
      if (i > 100) throw new Error('the worker did not delete the import');
      expect(described.body.importStatus).toBe('Deleting');
      await new Promise((r) => setTimeout(r, 100));
      described = await call(stack.api, 'GET', `/imports/${whole.importId}/`, { token: bearer });
    }
    expect([described.status, described.headers.get('x-amzn-errortype')]).toEqual([404, 'ResourceNotFoundException']);
    expect((await stack.api.ctx.db.query('SELECT 1 FROM import_jobs WHERE import_id = $1', [whole.importId])).rowCount).toBe(0);
    const rows = await stack.api.ctx.db.query('SELECT 1 FROM uploads WHERE upload_id = $1', [whole.importId]);
    expect(rows.rowCount).toBe(0);
    expect(await stack.api.ctx.storage.size(uploadObjectKey(tenant, whole.importId))).toBeUndefined();
    expect(await stack.api.ctx.storage.size(uploadObjectKey(tenant, locale.importId))).toBeGreaterThan(0);
    expect((await draftOf(stack.api, bearer, whole.importedResourceId)).components.length).toBeGreaterThan(0);
  });

  test("StartImport refuses what it cannot do, in Lex's error shape", async () => {
    const tenant = newTenant();
    const bearer = token(tenant);
    const spec = { botImportSpecification: { botName: 'Nope' } };
    const unknown = await call(stack.api, 'PUT', '/imports/', {
      token: bearer,
      body: { importId: 'AAAAAAAAAA', resourceSpecification: spec, mergeStrategy: 'Overwrite' },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('x-amzn-errortype')).toBe('ResourceNotFoundException');

    const upload = await call(stack.api, 'POST', '/createuploadurl/', { token: bearer });
    const empty = await call(stack.api, 'PUT', '/imports/', {
      token: bearer,
      body: { importId: upload.body.importId, resourceSpecification: spec, mergeStrategy: 'Overwrite' },
    });
    expect(empty.status).toBe(400);
    expect(empty.body.message).toMatch(/nothing has been uploaded/);

    const otherTenant = await call(stack.api, 'PUT', '/imports/', {
      token: token(newTenant()),
      body: { importId: upload.body.importId, resourceSpecification: spec, mergeStrategy: 'Overwrite' },
    });
    expect(otherTenant.status).toBe(404);

    const bad = await call(stack.api, 'PUT', '/imports/', {
      token: bearer,
      body: {
        importId: upload.body.importId,
        resourceSpecification: { botLocaleImportSpecification: { botId: 'AAAAAAAAAA', botVersion: '1', localeId: 'en_US' } },
        mergeStrategy: 'Merge',
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('x-amzn-errortype')).toBe('ValidationException');
    expect(bad.body.message).toMatch(/botVersion.*DRAFT/);
    expect(bad.body.message).toMatch(/mergeStrategy/);

    const botId = await createBotWith(stack.api, bearer, demoBot('Twice'));
    const archive = await exportArchive(bearer, botId);
    const started = await startImport(stack.api, bearer, archive, { botImportSpecification: { botName: 'Twice Copy' } });
    const again = await call(stack.api, 'PUT', '/imports/', {
      token: bearer,
      body: { importId: started.body.importId, resourceSpecification: spec, mergeStrategy: 'Overwrite' },
    });
    expect(again.status).toBe(409);
    expect(again.headers.get('x-amzn-errortype')).toBe('ConflictException');

    const readOnly = token(tenant, { scopes: ['imports:read'] });
    expect((await call(stack.api, 'POST', '/createuploadurl/', { token: readOnly })).status).toBe(403);
  });
});

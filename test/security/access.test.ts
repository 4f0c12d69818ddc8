import { call, createBotWith, newTenant, startImport, token, useApiAndWorker, waitForExport, waitForImport } from '../support/harness';
import { demoBot } from '../support/fixtures';
import { botportFiles, withManifest, zipOf } from '../support/archives';

/**
 * Tenant A owns a bot, an export, an import and an upload. Tenant B, with
 * every scope, probes every route of every surface with A's ids: each answer
 * is "not found" in that surface's shape, and A's things are untouched.
 * And a download link outlives its 300 seconds nowhere.
 */
const stack = useApiAndWorker();

test("another tenant's bot, exports, imports and uploads are not found on any route", async () => {
  const a = token(newTenant());
  const botId = await createBotWith(stack.api, a, demoBot(), true);
  const exported = await call(stack.api, 'PUT', '/exports/', {
    token: a,
    body: { resourceSpecification: { botExportSpecification: { botId, botVersion: 'DRAFT' } }, fileFormat: 'BotportJson' },
  });
  const exportId = exported.body.exportId as string;
  await waitForExport(stack.api, a, exportId);
  const imported = await startImport(stack.api, a, zipOf(withManifest(botportFiles(demoBot('Copy')))), { botImportSpecification: { botName: 'Copy' } });
  const importId = imported.body.importId as string;
  await waitForImport(stack.api, a, importId);
  const upload = (await call(stack.api, 'POST', '/createuploadurl/', { token: a })).body.importId as string;

  const b = token(newTenant());
  const doc = demoBot();
  const probes: [string, string, unknown?, Record<string, string>?][] = [
    ['GET', `/v1/bots/${botId}`],
    ['GET', `/v1/bots/${botId}/versions`],
    ['GET', `/v1/bots/${botId}/versions/DRAFT`],
    ['GET', `/v1/bots/${botId}/versions/1`],
    ['PUT', `/v1/bots/${botId}/versions/DRAFT`, doc],
    ['PUT', `/v1/bots/${botId}/versions/DRAFT/components/intent/X?locale=en_US`, { body: {} }],
    ['DELETE', `/v1/bots/${botId}/versions/DRAFT/components/dialog/Checkout`],
    ['POST', `/v1/bots/${botId}/versions`, {}],
    ['POST', '/v1/exports', { botId }],
    ['GET', `/v1/exports/${exportId}`],
    ['GET', `/v1/exports/${exportId}/deliveries`],
    ['PATCH', `/v1/exports/${exportId}`, {}],
    ['DELETE', `/v1/exports/${exportId}`],
    ['GET', `/v1/imports/${importId}`],
    ['GET', `/v1/imports/${importId}/deliveries`],
    ['DELETE', `/v1/imports/${importId}`],
    ['PUT', '/exports/', { resourceSpecification: { botExportSpecification: { botId, botVersion: 'DRAFT' } }, fileFormat: 'BotportJson' }],
    ['GET', `/exports/${exportId}/`],
    ['PUT', `/exports/${exportId}/`, {}],
    ['DELETE', `/exports/${exportId}/`],
    ['GET', `/imports/${importId}/`],
    ['DELETE', `/imports/${importId}/`],
    ['PUT', '/imports/', { importId: upload, resourceSpecification: { botImportSpecification: { botName: 'Stolen' } }, mergeStrategy: 'Overwrite' }],
    [
      'PUT',
      '/imports/',
      {
        importId: upload,
        resourceSpecification: { botLocaleImportSpecification: { botId, botVersion: 'DRAFT', localeId: 'en_US' } },
        mergeStrategy: 'Overwrite',
      },
    ],
    ['POST', `/api/public/bot/${botId}/export`, { exportType: 'latest' }, { auth: b }],
    ['GET', `/api/public/bot/${botId}/export/status`, undefined, { auth: b }],
    ['POST', `/api/public/bot/${botId}/import`, { botDefinition: upload }, { auth: b }],
    ['POST', '/api/public/bot/import', { botDefinition: upload }, { auth: b }],
    ['GET', `/api/public/bot/import/status/bir-${importId}`, undefined, { auth: b }],
    ['POST', `/backup/export/${botId}?botVersion=DRAFT`],
    ['GET', `/backup/export/${botId}-DRAFT-${exportId}.zip`],
    ['GET', `/backup/import/${importId}`],
  ];
  for (const [method, path, body, headers] of probes) {
    const res = await call(stack.api, method, path, { token: headers ? undefined : b, body, headers });
    expect([method, path, res.status]).toEqual([method, path, 404]);
  }
  // A bot token of the other tenant naming A's bot.
  const botTokenB = token(newTenant(), { bot: botId, scopes: ['backup'] });
  expect((await call(stack.api, 'GET', '/bots/backup', { token: botTokenB })).status).toBe(404);
  expect((await call(stack.api, 'POST', '/bots/restore', { token: botTokenB, body: { botId, definition: doc } })).status).toBe(404);
  // Last, the most destructive probe.
  expect((await call(stack.api, 'DELETE', `/v1/bots/${botId}`, { token: b })).status).toBe(404);

  // A's things are as they were.
  expect((await call(stack.api, 'GET', `/exports/${exportId}/`, { token: a })).body.exportStatus).toBe('Completed');
  expect((await call(stack.api, 'GET', `/imports/${importId}/`, { token: a })).body.importStatus).toBe('Completed');
  expect((await call(stack.api, 'GET', `/v1/bots/${botId}/versions`, { token: a })).body.versions.map((v: { version: string }) => v.version)).toEqual([
    'DRAFT',
    '1',
  ]);
});

test('a download URL is refused by the S3 server once its 300 seconds are over', async () => {
  const { GetObjectCommand } = await import('@aws-sdk/client-s3');
  const { getSignedUrl } = await import('@aws-sdk/s3-request-presigner');
  const { PRESIGNED_URL_SECONDS } = await import('@botport/shared');
  const bearer = token(newTenant());
  const botId = await createBotWith(stack.api, bearer, demoBot());
  const created = await call(stack.api, 'POST', '/v1/exports', { token: bearer, body: { botId } });
  const done = await waitForExport(stack.api, bearer, created.body.exportId);
  expect((await fetch(done.downloadUrl)).status).toBe(200);
  const key = (await stack.api.ctx.db.query('SELECT object_key FROM export_jobs WHERE export_id = $1', [done.exportId])).rows[0].object_key;
  // The same URL as botport signs, signed 301 seconds ago.
  const stale = await getSignedUrl(stack.api.ctx.storage.client, new GetObjectCommand({ Bucket: stack.api.ctx.storage.bucket, Key: key }), {
    expiresIn: PRESIGNED_URL_SECONDS,
    signingDate: new Date(Date.now() - (PRESIGNED_URL_SECONDS + 1) * 1000),
  });
  expect((await fetch(stale)).status).toBe(403);
});

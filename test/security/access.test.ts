import { createHmac } from 'node:crypto';
import { call, createBotWith, draftOf, newTenant, startImport, token, useApiAndWorker, waitForExport, waitForImport } from '../support/harness';
import { createCredential, signedCall } from '../support/credentials';
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
  const probes = probesOf(botId, exportId, importId, upload, b);
  for (const [method, path, body, headers] of probes) {
    const res = await call(stack.api, method, path, { token: headers ? undefined : b, body, headers });
    expect([method, path, res.status]).toEqual([method, path, 404]);
  }
  // A bot token of the other tenant naming A's bot.
  const botTokenB = token(newTenant(), { bot: botId, scopes: ['backup'] });
  expect((await call(stack.api, 'GET', '/bots/backup', { token: botTokenB })).status).toBe(404);
  expect((await call(stack.api, 'POST', '/bots/restore/overwrite', { token: botTokenB, body: { botId, definition: doc } })).status).toBe(404);
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

/** Every route of every surface that names one of A's things, probed with another tenant's sign-in `b` (Kore's routes with its auth header). */
function probesOf(botId: string, exportId: string, importId: string, upload: string, b: string): [string, string, unknown?, Record<string, string>?][] {
  const doc = demoBot();
  return [
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
    ['GET', `/bots/${botId}/`],
    ['POST', `/bots/${botId}/botversions/`, {}],
    ['POST', `/bots/${botId}/botversions/1/botlocales/`, {}],
    ['GET', `/bots/${botId}/botversions/1/botlocales/en_US/`],
    ['POST', '/v1/credentials', { name: 'a key for their bot', botId }],
  ];
}

const koreJwt = (appId: string, secret: string) => {
  const input = `${Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify({ appId, sub: 'b' })).toString('base64url')}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
};

test("a credential of another tenant reads nothing of A's on any surface: SigV4, Kore app JWTs, Xenioo sign-ins", async () => {
  const a = token(newTenant());
  const botId = await createBotWith(stack.api, a, demoBot(), true);
  const exportId = (
    await call(stack.api, 'PUT', '/exports/', {
      token: a,
      body: { resourceSpecification: { botExportSpecification: { botId, botVersion: '1' } }, fileFormat: 'LexJson' },
    })
  ).body.exportId as string;
  await waitForExport(stack.api, a, exportId);
  const imported = await startImport(stack.api, a, zipOf(withManifest(botportFiles(demoBot('Copy')))), { botImportSpecification: { botName: 'Copy' } });
  const importId = imported.body.importId as string;
  await waitForImport(stack.api, a, importId);
  const upload = (await call(stack.api, 'POST', '/createuploadurl/', { token: a })).body.importId as string;
  const draftBefore = await draftOf(stack.api, a, botId);

  // Tenant B: every scope but admin, its own bot, a key limited to that bot.
  const bAdmin = token(newTenant());
  const bBot = await createBotWith(stack.api, bAdmin, demoBot('Theirs'));
  const b = await createCredential(stack.api, bAdmin, { name: 'b everything' });
  const bBotKey = await createCredential(stack.api, bAdmin, { name: 'b bot key', botId: bBot, scopes: ['backup', 'bots:read'] });
  const kore = koreJwt(b.credentialId, b.secret);

  for (const [method, path, body, headers] of probesOf(botId, exportId, importId, upload, kore)) {
    if (path.startsWith('/v1/') || path.startsWith('/backup/')) continue; // botport's own and EDDI's take botport's bearer token only
    const res = headers ? await call(stack.api, method, path, { body, headers }) : await signedCall(stack.api, b.signIn.aws, method, path, body);
    expect([method, path, res.status]).toEqual([method, path, 404]);
  }
  // Listings show only B's own.
  expect((await signedCall(stack.api, b.signIn.aws, 'POST', '/bots/', {})).body.botSummaries.map((s: { botId: string }) => s.botId)).toEqual([bBot]);
  expect((await signedCall(stack.api, b.signIn.aws, 'POST', '/exports/', { botId })).body.exportSummaries).toEqual([]);
  expect((await signedCall(stack.api, b.signIn.aws, 'POST', '/imports/', {})).body.importSummaries).toEqual([]);
  // The bot key reaches its own bot only, even naming A's.
  expect((await signedCall(stack.api, bBotKey.signIn.aws, 'GET', `/bots/${botId}/`)).status).toBe(404);

  // Xenioo: B's keys sign in as B; its tokens back up and overwrite B's bot, never A's.
  const accountToken = (await call(stack.api, 'POST', '/authorization/integration', { body: b.signIn.xenioo })).body.token as string;
  const botToken = (await call(stack.api, 'POST', '/authorization/integration', { body: bBotKey.signIn.xenioo })).body.token as string;
  expect((await call(stack.api, 'GET', '/bots/backup', { token: botToken })).body.botId).toBe(bBot);
  expect((await call(stack.api, 'POST', '/bots/restore/overwrite', { token: botToken, body: { botId, definition: demoBot('Overwritten') } })).status).toBe(200);
  const restored = await call(stack.api, 'POST', '/bots/restore', { token: accountToken, body: { botId, definition: demoBot('Smuggled') } });
  expect((await call(stack.api, 'GET', `/v1/bots/${restored.body.botId}`, { token: bAdmin })).status).toBe(200); // the new bot is B's
  expect((await call(stack.api, 'GET', `/v1/bots/${restored.body.botId}`, { token: a })).status).toBe(404);
  // A's bot is as it was.
  expect(await draftOf(stack.api, a, botId)).toEqual(draftBefore);
  expect((await call(stack.api, 'GET', '/v1/bots', { token: a })).body.bots.map((x: { name: string }) => x.name).sort()).toEqual(['Copy', 'PizzaBot']);
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

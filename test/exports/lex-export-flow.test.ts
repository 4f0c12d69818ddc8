import { createHash } from 'node:crypto';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { call, createBotWith, newTenant, token, useApiAndWorker, waitForExport } from '../support/harness';
import { canonical, demoBot } from '../support/fixtures';
import { download, unzip } from '../support/zip';

const stack = useApiAndWorker();

function components(files: Map<string, Buffer>) {
  return [...files].filter(([name]) => name !== 'manifest.json' && name !== 'bot.json').map(([, data]) => JSON.parse(data.toString('utf8')));
}

async function exportAndDownload(bearer: string, spec: object, fileFormat = 'BotportJson') {
  const created = await call(stack.api, 'PUT', '/exports/', { token: bearer, body: { resourceSpecification: spec, fileFormat } });
  expect(created.status).toBe(202);
  expect(created.body).toMatchObject({ exportStatus: 'InProgress', fileFormat, resourceSpecification: spec });
  expect(typeof created.body.creationDateTime).toBe('number');
  const done = await waitForExport(stack.api, bearer, created.body.exportId);
  expect(done).toMatchObject({ exportStatus: 'Completed', failureReasons: [], progress: 100 });
  const archive = await download(done.downloadUrl);
  expect(archive.status).toBe(200);
  return { done, archive, files: await unzip(archive.data) };
}

describe('Lex export flow: CreateExport → DescribeExport → download', () => {
  test('a whole bot exports with a manifest whose hashes match its entries', async () => {
    const tenant = newTenant();
    const bearer = token(tenant);
    const doc = demoBot();
    const botId = await createBotWith(stack.api, bearer, doc);
    const { done, archive, files } = await exportAndDownload(bearer, { botExportSpecification: { botId, botVersion: 'DRAFT' } });

    const url = new URL(done.downloadUrl);
    expect(url.searchParams.get('X-Amz-Expires')).toBe('300');
    expect(archive.headers.get('content-disposition')).toBe(`attachment; filename="PizzaBot-DRAFT-${done.exportId}-BotportJson.zip"`);
    expect(done.archiveSizeBytes).toBe(archive.data.length);
    expect(done.archiveSha256).toBe(createHash('sha256').update(archive.data).digest('hex'));

    expect(files.has('locales/en_US/intent/OrderPizza.json')).toBe(true);
    expect(files.has('bot/dialog/Checkout.json')).toBe(true);
    const manifest = JSON.parse(files.get('manifest.json')!.toString('utf8'));
    expect(manifest).toMatchObject({ format: 'BotportJson', botVersion: 'DRAFT', bot: { botId, name: 'PizzaBot' }, componentCount: doc.components.length });
    expect(manifest.entries.length).toBe(files.size - 1);
    for (const e of manifest.entries) {
      const data = files.get(e.path)!;
      expect([e.path, createHash('sha256').update(data).digest('hex'), data.length]).toEqual([e.path, e.sha256, e.size]);
    }
    expect(canonical(components(files))).toEqual(canonical(doc.components));
  });

  test('a single-locale export holds that locale only', async () => {
    const bearer = token(newTenant());
    const doc = demoBot();
    const botId = await createBotWith(stack.api, bearer, doc, true);
    const { files } = await exportAndDownload(bearer, { botLocaleExportSpecification: { botId, botVersion: '1', localeId: 'de_DE' } });
    const got = components(files);
    expect(got.length).toBeGreaterThan(0);
    expect(got.every((c) => c.locale === 'de_DE')).toBe(true);
    expect(canonical(got)).toEqual(canonical(doc.components.filter((c) => c.locale === 'de_DE')));
  });

  test('two exports of one published version are byte-identical', async () => {
    const bearer = token(newTenant());
    const botId = await createBotWith(stack.api, bearer, demoBot(), true);
    const spec = { botExportSpecification: { botId, botVersion: '1' } };
    const first = await exportAndDownload(bearer, spec);
    const second = await exportAndDownload(bearer, spec);
    expect(second.done.exportId).not.toBe(first.done.exportId);
    expect(second.done.archiveSha256).toBe(first.done.archiveSha256);
    expect(Buffer.compare(first.archive.data, second.archive.data)).toBe(0);
  });

  test('DeleteExport answers Deleting, DescribeExport says Deleting until the worker has removed object and record, then ResourceNotFoundException', async () => {
    const bearer = token(newTenant());
    const botId = await createBotWith(stack.api, bearer, demoBot());
    const { done } = await exportAndDownload(bearer, { botExportSpecification: { botId, botVersion: 'DRAFT' } });
    const key = (await stack.api.ctx.db.query('SELECT object_key FROM export_jobs WHERE export_id = $1', [done.exportId])).rows[0].object_key;
    await stack.worker.pause();
    const del = await call(stack.api, 'DELETE', `/exports/${done.exportId}/`, { token: bearer });
    expect(del.status).toBe(202);
    expect(del.body).toEqual({ exportId: done.exportId, exportStatus: 'Deleting' });
    const deleting = await call(stack.api, 'GET', `/exports/${done.exportId}/`, { token: bearer });
    expect([deleting.status, deleting.body.exportStatus, deleting.body.downloadUrl]).toEqual([200, 'Deleting', undefined]);
    stack.worker.resume();
    let gone = deleting;
    for (let i = 0; i < 100 && gone.status === 200; i++) {
      expect(gone.body.exportStatus).toBe('Deleting');
      await new Promise((r) => setTimeout(r, 100));
      gone = await call(stack.api, 'GET', `/exports/${done.exportId}/`, { token: bearer });
    }
    expect(gone.status).toBe(404);
    expect(gone.headers.get('x-amzn-errortype')).toBe('ResourceNotFoundException');
    expect((await stack.api.ctx.db.query('SELECT 1 FROM export_jobs WHERE export_id = $1', [done.exportId])).rowCount).toBe(0);
    await expect(stack.api.ctx.storage.client.send(new HeadObjectCommand({ Bucket: stack.api.ctx.storage.bucket, Key: key }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 404 },
    });
  });

  test('an export whose bot is gone by the time it runs fails at once with a reason', async () => {
    const bearer = token(newTenant());
    const botId = await createBotWith(stack.api, bearer, demoBot());
    await stack.worker.pause();
    const created = await call(stack.api, 'PUT', '/exports/', {
      token: bearer,
      body: { resourceSpecification: { botLocaleExportSpecification: { botId, botVersion: 'DRAFT', localeId: 'de_DE' } }, fileFormat: 'BotportJson' },
    });
    await call(stack.api, 'DELETE', `/v1/bots/${botId}`, { token: bearer });
    stack.worker.resume();
    const done = await waitForExport(stack.api, bearer, created.body.exportId);
    expect(done.exportStatus).toBe('Failed');
    expect(done.failureReasons).toEqual([`bot ${botId} has no version DRAFT`]);
    expect(done.downloadUrl).toBeUndefined();
  });

  test('the native surface runs the same jobs', async () => {
    const bearer = token(newTenant());
    const botId = await createBotWith(stack.api, bearer, demoBot());
    const created = await call(stack.api, 'POST', '/v1/exports', { token: bearer, body: { botId, localeId: 'en_US' } });
    expect(created.status).toBe(202);
    expect(created.headers.get('location')).toBe(`/v1/exports/${created.body.exportId}`);
    await waitForExport(stack.api, bearer, created.body.exportId);
    const got = await call(stack.api, 'GET', `/v1/exports/${created.body.exportId}`, { token: bearer });
    expect(got.body).toMatchObject({ status: 'Completed', botId, botVersion: 'DRAFT', localeId: 'en_US', fileFormat: 'BotportJson', progress: 100 });
    expect(got.body.downloadUrl).toMatch(/X-Amz-Expires=300/);
    const list = await call(stack.api, 'GET', '/v1/exports', { token: bearer });
    expect(list.body.exports.map((e: { exportId: string }) => e.exportId)).toEqual([created.body.exportId]);
  });
});

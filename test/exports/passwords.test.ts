import { spawnSync } from 'node:child_process';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { call, createBotWith, draftOf, newTenant, storeSnapshot, token, useApiAndWorker, waitForExport, waitForImport } from '../support/harness';
import { canonical, demoBot } from '../support/fixtures';
import { download } from '../support/zip';

const stack = useApiAndWorker();
const PASSWORD = 'correct horse ✓ battery';

async function exportWith(bearer: string, botId: string, filePassword?: string) {
  const created = await call(stack.api, 'PUT', '/exports/', {
    token: bearer,
    body: { resourceSpecification: { botExportSpecification: { botId, botVersion: 'DRAFT' } }, fileFormat: 'BotportJson', filePassword },
  });
  expect(created.status).toBe(202);
  const done = await waitForExport(stack.api, bearer, created.body.exportId);
  expect(done.exportStatus).toBe('Completed');
  return { done, archive: (await download(done.downloadUrl)).data };
}

/** Runs an archive tool over the archive in a scratch folder; returns its exit code and what it extracted. */
function extract(tool: '7z' | 'unzip', archive: Buffer, password?: string): { status: number | null; files: string[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'botport-pw-'));
  try {
    const zip = path.join(dir, 'a.zip');
    fs.writeFileSync(zip, archive);
    const out = path.join(dir, 'out');
    const args = tool === '7z' ? ['x', '-y', `-p${password ?? ''}`, `-o${out}`, zip] : ['-o', zip, '-d', out];
    const { status } = spawnSync(tool, args, { stdio: 'ignore', input: '' });
    const files = fs.existsSync(out)
      ? fs
          .readdirSync(out, { recursive: true })
          .map(String)
          .filter((f) => fs.statSync(path.join(out, f)).isFile())
      : [];
    return { status, files };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('password-protected archives (WinZip AES-256)', () => {
  test('7-Zip opens a protected export with its password; a wrong password and plain unzip fail', async () => {
    const bearer = token(newTenant());
    const botId = await createBotWith(stack.api, bearer, demoBot());
    const { done, archive } = await exportWith(bearer, botId, PASSWORD);
    expect(spawnSync('7z', ['i'], { stdio: 'ignore' }).status).toBe(0); // npm test installs p7zip-full where it may
    const opened = extract('7z', archive, PASSWORD);
    expect(opened.status).toBe(0);
    expect(opened.files).toEqual(expect.arrayContaining(['manifest.json', 'bot.json', 'locales/en_US/intent/OrderPizza.json']));
    expect(done.archiveSizeBytes).toBe(archive.length);
    expect(extract('7z', archive, 'not the password').status).not.toBe(0);
    expect(extract('unzip', archive).status).not.toBe(0);
  });

  test('export with a password → import with it round-trips; a wrong or missing password fails and changes nothing', async () => {
    const tenant = newTenant();
    const bearer = token(tenant);
    const doc = demoBot();
    const botId = await createBotWith(stack.api, bearer, doc);
    const { archive } = await exportWith(bearer, botId, PASSWORD);
    const before = await storeSnapshot(stack.api.ctx.db, tenant);

    for (const [filePassword, reason] of [
      ['wrong', /the password does not open entry/],
      [undefined, /is encrypted; give the archive's password \(filePassword\)/],
    ] as const) {
      const upload = await call(stack.api, 'POST', '/createuploadurl/', { token: bearer });
      await fetch(upload.body.uploadUrl, { method: 'PUT', body: archive });
      const started = await call(stack.api, 'PUT', '/imports/', {
        token: bearer,
        body: {
          importId: upload.body.importId,
          resourceSpecification: { botImportSpecification: { botName: 'Copy' } },
          mergeStrategy: 'FailOnConflict',
          filePassword,
        },
      });
      const failed = await waitForImport(stack.api, bearer, started.body.importId);
      expect(failed.importStatus).toBe('Failed');
      expect(failed.failureReasons[0]).toMatch(reason);
      expect(await storeSnapshot(stack.api.ctx.db, tenant)).toEqual(before);
    }

    const upload = await call(stack.api, 'POST', '/createuploadurl/', { token: bearer });
    await fetch(upload.body.uploadUrl, { method: 'PUT', body: archive });
    const started = await call(stack.api, 'PUT', '/imports/', {
      token: bearer,
      body: {
        importId: upload.body.importId,
        resourceSpecification: { botImportSpecification: { botName: 'Copy' } },
        mergeStrategy: 'FailOnConflict',
        filePassword: PASSWORD,
      },
    });
    const done = await waitForImport(stack.api, bearer, started.body.importId);
    expect(done.importStatus).toBe('Completed');
    expect(canonical((await draftOf(stack.api, bearer, done.importedResourceId)).components)).toEqual(canonical(doc.components));
  });

  test('UpdateExport re-protects a finished export: the new password opens it, the old no longer does; none makes it plain', async () => {
    const tenant = newTenant();
    const bearer = token(tenant);
    const botId = await createBotWith(stack.api, bearer, demoBot());
    const { done } = await exportWith(bearer, botId, PASSWORD);

    const updated = await call(stack.api, 'PUT', `/exports/${done.exportId}/`, { token: bearer, body: { filePassword: 'the new one' } });
    expect(updated.status).toBe(202);
    expect(updated.body.exportStatus).toBe('InProgress');
    const again = await waitForExport(stack.api, bearer, done.exportId);
    expect(again.exportStatus).toBe('Completed');
    const archive = (await download(again.downloadUrl)).data;
    expect(extract('7z', archive, 'the new one').status).toBe(0);
    expect(extract('7z', archive, PASSWORD).status).not.toBe(0);

    expect((await call(stack.api, 'PUT', `/exports/${done.exportId}/`, { token: bearer, body: {} })).status).toBe(202);
    const plain = await waitForExport(stack.api, bearer, done.exportId);
    expect(extract('unzip', (await download(plain.downloadUrl)).data).status).toBe(0);
    // One archive is kept: each rebuild removed the one before.
    const listed = await stack.api.ctx.storage.client.send(
      new ListObjectsV2Command({ Bucket: stack.api.ctx.storage.bucket, Prefix: `exports/${tenant}/${done.exportId}/` }),
    );
    expect(listed.Contents?.length).toBe(1);
    const { rows } = await stack.api.ctx.db.query('SELECT has_password, sealed_password FROM export_jobs WHERE export_id = $1', [done.exportId]);
    expect(rows[0]).toEqual({ has_password: false, sealed_password: null });
  });
});

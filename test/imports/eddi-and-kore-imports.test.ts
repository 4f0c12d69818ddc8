import type { Component } from '@botport/shared';
import { call, createBotWith, draftOf, newTenant, startApi, token, useApiAndWorker } from '../support/harness';
import { canonical, demoBot } from '../support/fixtures';
import { botportFiles, withManifest, zipOf } from '../support/archives';

const MB = 1024 * 1024;
const stack = useApiAndWorker({ EDDI_IMPORT_WAIT_MS: '15000', IMPORT_MAX_ARCHIVE_BYTES: String(MB) });

const archiveOf = (name: string, components?: Component[]) => {
  const doc = demoBot(name);
  return zipOf(withManifest(botportFiles(components ? { ...doc, components } : doc)));
};

const postZip = (api: { url: string }, bearer: string, body: Buffer, type = 'application/zip') =>
  fetch(`${api.url}/backup/import`, { method: 'POST', headers: { authorization: `Bearer ${bearer}`, 'content-type': type }, body });

describe('EDDI import: POST /backup/import with the archive as body', () => {
  test("answers 200 with the new bot's Location; a taken name gets a suffix; nothing is published", async () => {
    const bearer = token(newTenant());
    await createBotWith(stack.api, bearer, demoBot('PizzaBot'));
    const res = await postZip(stack.api, bearer, archiveOf('PizzaBot'));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    const location = res.headers.get('location')!;
    const botId = new RegExp('^http://botport\\.test/v1/bots/([0-9A-Za-z]{10})$').exec(location)?.[1];
    expect(botId).toBeDefined();

    const bot = await call(stack.api, 'GET', `/v1/bots/${botId}`, { token: bearer });
    expect(bot.body.name).toBe('PizzaBot (2)');
    const draft = await draftOf(stack.api, bearer, botId!);
    expect(canonical(draft.components)).toEqual(canonical(demoBot().components));
    const versions = await call(stack.api, 'GET', `/v1/bots/${botId}/versions`, { token: bearer });
    expect(versions.body.versions.map((v: { version: string }) => v.version)).toEqual(['DRAFT']);
  });

  test("past the wait it answers 202 with the import's Location, which answers with the bot's once done", async () => {
    const quick = await startApi({ EDDI_IMPORT_WAIT_MS: '0' });
    const bearer = token(newTenant());
    try {
      const res = await postZip(quick, bearer, archiveOf('Later'));
      expect(res.status).toBe(202);
      expect(res.headers.get('retry-after')).toBe('2');
      const path = new URL(res.headers.get('location')!).pathname;
      expect(path).toMatch(/^\/backup\/import\/[0-9A-Za-z]{10}$/);
      let answer = await call(quick, 'GET', path, { token: bearer });
      for (let i = 0; i < 200 && answer.status === 202; i++) {
        await new Promise((r) => setTimeout(r, 50));
        answer = await call(quick, 'GET', path, { token: bearer });
      }
      expect(answer.status).toBe(200);
      expect(answer.headers.get('location')).toMatch(/\/v1\/bots\/[0-9A-Za-z]{10}$/);
      expect((await call(quick, 'GET', path, { token: token(newTenant()) })).status).toBe(404);
    } finally {
      await quick.close();
    }
  });

  test("refuses a wrong type, a damaged archive and an oversized body in EDDI's shape, storing nothing", async () => {
    const tenant = newTenant();
    const bearer = token(tenant);
    const wrongType = await postZip(stack.api, bearer, archiveOf('X'), 'application/json');
    expect(wrongType.status).toBe(400);
    expect(((await wrongType.json()) as any).error).toMatch(/Content-Type: application\/zip/);

    const damaged = await postZip(stack.api, bearer, Buffer.from('not a zip at all'));
    expect(damaged.status).toBe(400);
    expect(((await damaged.json()) as any).error).toMatch(/^the import failed: the upload is not a readable zip archive/);

    const declared = await postZip(stack.api, bearer, Buffer.alloc(MB + 1));
    expect(declared.status).toBe(413);
    // Chunked, so no Content-Length warns us: the limit stops the stream itself.
    const chunked = await fetch(`${stack.api.url}/backup/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/zip' },
      body: new ReadableStream({
        start(c) {
          for (let i = 0; i < 20; i++) c.enqueue(new Uint8Array(128 * 1024));
          c.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(((await chunked.json()) as any).error).toMatch(/larger than 1\.0 MB/);
    const uploads = await stack.api.ctx.db.query('SELECT upload_id FROM uploads WHERE tenant_id = $1', [tenant]);
    expect(uploads.rowCount).toBe(1); // the damaged one, kept with its failed import for seven days
    expect((await stack.api.ctx.db.query('SELECT 1 FROM bots WHERE tenant_id = $1', [tenant])).rowCount).toBe(0);
  });
});

describe('Kore.ai import: uploadfile → bot import → import status', () => {
  async function uploadFile(bearer: string, data: Buffer, extension = 'zip') {
    const form = new FormData();
    form.append('file', new Blob([data]), 'PizzaBot.zip');
    form.append('fileContext', 'bulkImport');
    form.append('fileExtension', extension);
    const res = await fetch(`${stack.api.url}/api/public/uploadfile`, { method: 'POST', headers: { auth: bearer }, body: form });
    return { status: res.status, body: (await res.json()) as any };
  }

  async function waitForKore(bearer: string, birId: string) {
    for (let i = 0; i < 300; i++) {
      const res = await call(stack.api, 'GET', `/api/public/bot/import/status/${birId}`, { headers: { auth: bearer } });
      expect(res.status).toBe(200);
      if (res.body.status !== 'pending') return res.body;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('import still pending');
  }

  test('a new bot: upload the export zip, import it, poll until success', async () => {
    const bearer = token(newTenant());
    const archive = archiveOf('KoreBot');
    const uploaded = await uploadFile(bearer, archive);
    expect(uploaded.status).toBe(200);
    expect(uploaded.body).toEqual({
      fileId: expect.stringMatching(/^[0-9A-Za-z]{10}$/),
      hash: expect.stringMatching(/^[0-9a-f]{40}$/),
      fileName: 'PizzaBot.zip',
    });

    const started = await call(stack.api, 'POST', '/api/public/bot/import', {
      headers: { auth: bearer },
      body: { botDefinition: uploaded.body.fileId, configInfo: uploaded.body.fileId },
    });
    expect(started.status).toBe(200);
    expect(started.body).toMatchObject({ _id: `bir-${uploaded.body.fileId}`, status: 'pending', requestType: 'Botimport', createdBy: 'tester', __v: 0 });

    const done = await waitForKore(bearer, started.body._id);
    expect(done).toMatchObject({ status: 'success', streamId: expect.stringMatching(/^[0-9A-Za-z]{10}$/) });
    expect(done.statusLogs).toContainEqual({ taskType: 'importBot', taskName: 'KoreBot', status: 'success' });
    expect(canonical((await draftOf(stack.api, bearer, done.streamId)).components)).toEqual(canonical(demoBot().components));
  });

  test('into an existing bot, importOptions limits what is replaced', async () => {
    const bearer = token(newTenant());
    const doc = demoBot('Existing');
    const edit = (c: Component): Component => (c.kind === 'patterns' || c.kind === 'dialog' ? { ...c, body: { ...c.body, edited: true } } : c);
    const botId = await createBotWith(stack.api, bearer, { ...doc, components: doc.components.map(edit) });
    const uploaded = await uploadFile(bearer, archiveOf('Existing'));
    const started = await call(stack.api, 'POST', `/api/public/bot/${botId}/import`, {
      headers: { auth: bearer },
      body: {
        botDefinition: uploaded.body.fileId,
        configInfo: uploaded.body.fileId,
        importOptions: { nlpData: ['patterns'], options: { utterances: { replace: true } } },
      },
    });
    expect(started.status).toBe(200);
    const done = await waitForKore(bearer, started.body._id);
    expect(done).toMatchObject({ status: 'success', streamId: botId });
    const after = await draftOf(stack.api, bearer, botId);
    const expected = doc.components.map((c) => (c.kind === 'dialog' ? edit(c) : c));
    expect(canonical(after.components)).toEqual(canonical(expected));
  });

  test("errors come in Kore's shape", async () => {
    const bearer = token(newTenant());
    const script = await uploadFile(bearer, Buffer.from('koreUtil.x = 1'), 'js');
    expect(script.status).toBe(400);
    expect(script.body).toEqual({ errors: [{ msg: expect.stringMatching(/fileExtension js cannot be imported/), code: 400 }] });
    const big = await uploadFile(bearer, Buffer.alloc(MB + 1));
    expect(big.status).toBe(413);
    expect(big.body.errors[0]).toEqual({ msg: expect.stringMatching(/an import takes at most 1\.0 MB/), code: 413 });
    const unknown = await call(stack.api, 'GET', '/api/public/bot/import/status/bir-AAAAAAAAAA', { headers: { auth: bearer } });
    expect(unknown.status).toBe(404);
    expect(unknown.body.errors[0].code).toBe(404);
    const noFile = await call(stack.api, 'POST', '/api/public/bot/import', { headers: { auth: bearer }, body: { botDefinition: 'AAAAAAAAAA' } });
    expect(noFile.status).toBe(404);
    const missingBot = await call(stack.api, 'POST', '/api/public/bot/AAAAAAAAAA/import', { headers: { auth: bearer }, body: { botDefinition: 'AAAAAAAAAA' } });
    expect(missingBot.status).toBe(404);
    expect(missingBot.body.errors[0].msg).toMatch(/bot AAAAAAAAAA was not found/);

    const failing = await uploadFile(bearer, Buffer.from('PK not really'));
    const started = await call(stack.api, 'POST', '/api/public/bot/import', { headers: { auth: bearer }, body: { botDefinition: failing.body.fileId } });
    const done = await waitForKore(bearer, started.body._id);
    expect(done.status).toBe('failed');
    // Not a zip, so taken as Kore's botDefinition.json, which it is not either.
    expect(done.failureReasons[0]).toMatch(/entry 'botDefinition\.json' is not valid JSON/);
  });
});

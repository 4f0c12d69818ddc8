import IORedis from 'ioredis';
import { createPool } from '@botport/shared';
import { call, createBotWith, newTenant, startImport, token, waitForExport, waitForImport } from '../support/harness';
import { createCredential, signedCall } from '../support/credentials';
import { demoBot } from '../support/fixtures';
import { download } from '../support/zip';
import { exitOf, spawnService, waitForLog } from '../support/processes';

/**
 * A password goes from api to worker sealed and is never kept in clear: the
 * real processes run at the most verbose log level through every use of a
 * password (export, UpdateExport, Lex and native imports, a wrong password),
 * then their logs, every Redis key of the run and every job row are searched
 * for it. So are an API credential's secrets, through each sign-in and a rotation.
 */
const PASSWORD = 'pa55-Wörd-that-must-never-leak';

async function everythingInRedis(prefix: string): Promise<string> {
  const redis = new IORedis(process.env.REDIS_URL as string);
  const out: string[] = [];
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      for (const key of keys) {
        const type = await redis.type(key);
        if (type === 'string') out.push(String(await redis.get(key)));
        else if (type === 'hash') out.push(JSON.stringify(await redis.hgetall(key)));
        else if (type === 'list') out.push(JSON.stringify(await redis.lrange(key, 0, -1)));
        else if (type === 'set') out.push(JSON.stringify(await redis.smembers(key)));
        else if (type === 'zset') out.push(JSON.stringify(await redis.zrange(key, '0', '-1')));
        else if (type === 'stream') out.push(JSON.stringify(await redis.xrange(key, '-', '+')));
      }
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return out.join('\n');
}

test('a password appears in no log line, Redis key or table row', async () => {
  const env = { PORT: '0', LOG_LEVEL: 'trace' };
  const api = spawnService('api', env);
  const worker = spawnService('worker', env);
  try {
    await waitForLog(api, /api listening/);
    await waitForLog(worker, /worker started/);
    const port = /"port":(\d+),[^\n]*"msg":"api listening"/.exec(api.output())![1];
    const url = { url: `http://127.0.0.1:${port}` };
    const bearer = token(newTenant());
    const botId = await createBotWith(url, bearer, demoBot());

    const created = await call(url, 'PUT', '/exports/', {
      token: bearer,
      body: { resourceSpecification: { botExportSpecification: { botId, botVersion: 'DRAFT' } }, fileFormat: 'BotportJson', filePassword: PASSWORD },
    });
    const done = await waitForExport(url, bearer, created.body.exportId);
    expect(done.exportStatus).toBe('Completed');
    const archive = (await download(done.downloadUrl)).data;
    await call(url, 'PUT', `/exports/${done.exportId}/`, { token: bearer, body: { filePassword: `${PASSWORD}-2` } });
    expect((await waitForExport(url, bearer, done.exportId)).exportStatus).toBe('Completed');

    const viaLex = await call(url, 'POST', '/createuploadurl/', { token: bearer });
    await fetch(viaLex.body.uploadUrl, { method: 'PUT', body: archive });
    const lex = await call(url, 'PUT', '/imports/', {
      token: bearer,
      body: {
        importId: viaLex.body.importId,
        resourceSpecification: { botImportSpecification: { botName: 'Copy' } },
        mergeStrategy: 'FailOnConflict',
        filePassword: PASSWORD,
      },
    });
    expect((await waitForImport(url, bearer, lex.body.importId)).importStatus).toBe('Completed');
    const native = await fetch(`${url.url}/v1/imports?botName=Copy2`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/zip', 'Botport-File-Password': PASSWORD },
      body: archive,
    });
    expect((await waitForImport(url, bearer, ((await native.json()) as { importId: string }).importId)).importStatus).toBe('Completed');
    const wrong = await startImport(url, bearer, archive, { botImportSpecification: { botName: 'Copy3' } });
    expect((await waitForImport(url, bearer, wrong.body.importId)).importStatus).toBe('Failed');

    // An API credential's secret: created, used by each platform's sign-in, rotated; never kept in clear either.
    const key = await createCredential(url, bearer, { name: 'secret keeper', botId });
    const secrets = [key.secret];
    expect((await signedCall(url, key.signIn.aws, 'POST', '/bots/', {})).status).toBe(200);
    const xenioo = await call(url, 'POST', '/authorization/integration', { body: key.signIn.xenioo });
    expect((await call(url, 'GET', '/bots/backup', { token: xenioo.body.token })).status).toBe(200);
    expect((await call(url, 'POST', '/authorization/integration', { body: { BotAPIKey: key.credentialId, BotAPISecret: `${key.secret}x` } })).status).toBe(404);
    secrets.push((await call(url, 'POST', `/v1/credentials/${key.credentialId}/rotate`, { token: bearer })).body.secret);

    const db = createPool(process.env.DATABASE_URL as string, 1);
    const { rows } = await db.query(
      `SELECT (SELECT json_agg(e) FROM export_jobs e)::text || (SELECT json_agg(i) FROM import_jobs i)::text || (SELECT json_agg(c) FROM api_credentials c)::text AS everything`,
    );
    await db.end();
    const places = {
      logs: api.output() + worker.output(),
      redis: await everythingInRedis(process.env.QUEUE_PREFIX as string),
      tables: rows[0].everything as string,
    };
    expect(places.logs).toMatch(/"msg":"export completed"/); // the logs are there to search
    for (const [where, text] of Object.entries(places)) {
      expect([where, text.includes(PASSWORD) || text.includes(JSON.stringify(PASSWORD).slice(1, -1))]).toEqual([where, false]);
      expect([where, secrets.filter((secret) => text.includes(secret))]).toEqual([where, []]);
    }
  } finally {
    api.kill('SIGTERM');
    worker.kill('SIGTERM');
    await Promise.all([exitOf(api), exitOf(worker)]);
  }
});

import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import jwt from 'jsonwebtoken';
import { DEV_JWT_SECRET } from '@botport/shared';
import { call, createBotWith, newTenant, token, useApiAndWorker, waitForExport } from '../support/harness';
import { demoBot } from '../support/fixtures';
import { until } from '../support/processes';

/**
 * `npx botport …` as an operator runs it: the built CLI in its own process
 * against a real api and worker. Each command is checked for its output,
 * its --json and its exit status (0 ok, 1 job failed, 2 usage, 3 refused,
 * 4 unauthorized, 5 unavailable).
 */
const stack = useApiAndWorker();
const BIN = path.resolve(__dirname, '../../cli/bin/botport.js');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'botport-cli-'));
let tenant: string;
let bearer: string;
let botId: string;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI asynchronously (the api under test lives in this process). */
function botport(args: string[], options: { token?: string | null; input?: string; env?: Record<string, string> } = {}): Promise<Run> {
  const auth = options.token === null ? [] : ['--token', options.token ?? bearer];
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [BIN, '--url', stack.api.url, ...auth, ...args],
      { cwd: work, env: { ...process.env, BOTPORT_TOKEN: '', ...options.env }, timeout: 60000 },
      (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin!.end(options.input ?? '');
  });
}

const json = (run: Run) => JSON.parse(run.stdout);
/** The operator runs the sweeper and sees every queue; a tenant token never does. */
const operator = () => token(tenant, { scopes: ['operator'] });
const junkZip = () => {
  const file = path.join(work, 'junk.zip');
  fs.writeFileSync(file, 'not a zip at all');
  return file;
};

beforeAll(async () => {
  tenant = newTenant();
  bearer = token(tenant);
  botId = await createBotWith(stack.api, bearer, demoBot(), true);
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe('botport CLI: exports', () => {
  test('exports create --wait draws progress to 100% and exits 0; --json gives the record', async () => {
    const run = await botport([
      '--json',
      'exports',
      'create',
      '--bot',
      botId,
      '--dialog',
      'Checkout',
      '--with-dependents',
      '--category',
      'settings=botSettings',
      '--wait',
    ]);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/export \w{10} \[#+\] 100% done/);
    const job = json(run);
    expect(job).toMatchObject({
      status: 'Completed',
      localeId: null,
      exportOptions: { subTasks: { dialogs: ['Checkout'] }, includeDependentTasks: true, categories: { settings: ['botSettings'] } },
    });
    expect(job.sha256).toMatch(/^[0-9a-f]{64}$/);
    // Tasks are bot-level: a locale export naming one is refused, saying why (exit 3).
    const locale = await botport(['exports', 'create', '--bot', botId, '--locale', 'en_US', '--dialog', 'Checkout']);
    expect(locale.code).toBe(3);
    expect(locale.stderr).toContain("a locale export holds only locale en_US's components");
  });

  test('describe, list, download (checked against its SHA-256) and delete', async () => {
    const created = await botport(['--json', 'exports', 'create', '--bot', botId, '--idempotency-key', 'cli-1']);
    expect(created.code).toBe(0);
    const { exportId } = json(created);
    const again = await botport(['--json', 'exports', 'create', '--bot', botId, '--idempotency-key', 'cli-1']);
    expect(json(again).exportId).toBe(exportId);

    const file = path.join(work, 'bot.zip');
    const downloaded = await botport(['exports', 'download', exportId, '--wait', '-o', file]);
    expect(downloaded.code).toBe(0);
    expect(downloaded.stdout).toMatch(/^saved .*bot\.zip \(\d+ bytes, sha256 [0-9a-f]{64}\)/);
    const described = await botport(['exports', 'describe', exportId]);
    expect(described.stdout).toContain('status: Completed');
    const sha256 = crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
    expect(described.stdout).toContain(`sha256: ${sha256}`);
    expect(fs.existsSync(`${file}.part`)).toBe(false);

    const listed = await botport(['exports', 'list', '--bot', botId]);
    expect(listed.stdout.split('\n')[0]).toMatch(/^exportId\s+bot\s+version\s+locale\s+format\s+status\s+size\s+created$/);
    expect(listed.stdout).toContain(exportId);
    expect(json(await botport(['--json', 'exports', 'list'])).exports.map((e: { exportId: string }) => e.exportId)).toContain(exportId);

    const deleted = await botport(['exports', 'delete', exportId]);
    expect([deleted.code, deleted.stdout.trim()]).toEqual([0, `export ${exportId} is being deleted`]);
    await until(
      'the export is gone',
      () => botport(['exports', 'describe', exportId]),
      (r) => r.code === 3,
      30000,
    );
  });

  test('--wait on an export that fails exits 1 with its reason', async () => {
    await stack.worker.pause();
    const doomed = await createBotWith(stack.api, bearer, demoBot('Doomed'));
    const { exportId } = json(await botport(['--json', 'exports', 'create', '--bot', doomed]));
    expect((await call(stack.api, 'DELETE', `/v1/bots/${doomed}`, { token: bearer })).status).toBe(204);
    stack.worker.resume();
    const run = await botport(['exports', 'download', exportId, '--wait']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`botport: export ${exportId} Failed: .*${doomed}`));
  });

  test('a password comes from stdin, never the command line', async () => {
    const run = await botport(['--json', 'exports', 'create', '--bot', botId, '--password-stdin', '--wait'], { input: 's3cret-pass\n' });
    expect(run.code).toBe(0);
    expect(json(run).passwordProtected).toBe(true);
  });
});

describe('botport CLI: imports and bots', () => {
  test('imports start --wait imports an export as a new bot; describe and list show it', async () => {
    const exported = json(await botport(['--json', 'exports', 'create', '--bot', botId, '--wait']));
    const file = path.join(work, 'roundtrip.zip');
    expect((await botport(['exports', 'download', exported.exportId, '-o', file])).code).toBe(0);
    const run = await botport(['--json', 'imports', 'start', file, '--bot-name', 'FromCli', '--wait']);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/100% done/);
    const job = json(run);
    expect(job).toMatchObject({ status: 'Completed', botName: 'FromCli', summary: { botCreated: true } });
    expect((await botport(['imports', 'describe', job.importId])).stdout).toContain('bot: FromCli');
    expect((await botport(['imports', 'list'])).stdout).toContain(job.importId);
  });

  test('an import that fails exits 1 and says why', async () => {
    const run = await botport(['imports', 'start', junkZip(), '--wait']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^botport: import \w{10} Failed: the upload is not a readable zip archive/m);
  });

  test('bots list, backup to a file, restore into the bot and as a new bot elsewhere', async () => {
    const listed = await botport(['bots', 'list']);
    expect(listed.stdout).toMatch(new RegExp(`${botId}\\s+PizzaBot`));
    const file = path.join(work, 'pizza.json');
    const backup = await botport(['--json', 'bots', 'backup', botId, '--version', '1', '-o', file]);
    expect(backup.code).toBe(0);
    expect(json(backup).sha256).toBe(crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex'));
    const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(doc.bot.name).toBe('PizzaBot');

    const into = await botport(['bots', 'restore', file, '--bot', botId]);
    expect([into.code, into.stdout.trim()]).toEqual([0, `restored ${doc.components.length} components into the DRAFT of bot ${botId}`]);
    const clash = await botport(['bots', 'restore', file]);
    expect(clash.code).toBe(3);
    expect(clash.stderr).toContain("409 a bot named 'PizzaBot' already exists");

    const elsewhere = token(newTenant());
    const restored = await botport(['--json', 'bots', 'restore', file], { token: elsewhere });
    expect(restored.code).toBe(0);
    const draft = await call(stack.api, 'GET', `/v1/bots/${json(restored).botId}/versions/DRAFT`, { token: elsewhere });
    expect(draft.body.components).toEqual(doc.components);
  });
});

describe('botport CLI: operations', () => {
  test("queue stats: a tenant admin's jobs of its tenant, the operator's every queue", async () => {
    const run = await botport(['--json', 'queue', 'stats']);
    expect(run.code).toBe(0);
    expect(json(run)).toMatchObject({ scope: 'tenant', tenant });
    expect(json(run).queues.map((q: { queue: string }) => q.queue)).toEqual(['exports', 'imports']);
    for (const q of json(run).queues) for (const k of ['waiting', 'active', 'failed', 'delayed', 'completed']) expect(typeof q[k]).toBe('number');
    const human = (await botport(['queue', 'stats'])).stdout.trim().split('\n');
    expect(human[0]).toMatch(/^queue\s+waiting\s+active\s+failed\s+delayed\s+completed$/);
    expect(human.at(-1)).toBe(`(the jobs of tenant ${tenant})`);
    const all = await botport(['--json', 'queue', 'stats'], { token: operator() });
    expect(json(all).scope).toBe('all');
    expect(json(all).queues.map((q: { queue: string }) => q.queue)).toEqual(['exports', 'imports', 'maintenance', 'backups']);
    // The admin scope is required.
    const denied = await botport(['queue', 'stats'], { token: token(tenant, { scopes: ['exports:read'] }) });
    expect(denied.code).toBe(3);
    expect(denied.stderr).toContain("403 the token lacks the 'admin' scope");
  });

  test('jobs retry: a stuck export whose queue entry was lost is queued again and completes', async () => {
    await stack.worker.pause();
    const { exportId } = json(await botport(['--json', 'exports', 'create', '--bot', botId, '--locale', 'de_DE']));
    // What a Redis loss does to one job: the record says InProgress, the queue has nothing.
    await (await stack.api.ctx.queues.exports.getJob(exportId))!.remove();
    const retried = await botport(['jobs', 'retry', exportId]);
    expect([retried.code, retried.stdout.trim()]).toEqual([0, `export ${exportId} requeued`]);
    const twice = await botport(['jobs', 'retry', exportId]);
    expect(twice.code).toBe(3);
    expect(twice.stderr).toMatch(/is (waiting|prioritized) in the queue; it needs no retry/);
    stack.worker.resume();
    expect((await waitForExport(stack.api, bearer, exportId)).exportStatus).toBe('Completed');
    const done = await botport(['jobs', 'retry', exportId]);
    expect(done.code).toBe(3);
    expect(done.stderr).toContain('is Completed; only a Failed or stuck InProgress job can be retried');
  });

  test('jobs retry: a Failed import runs again from the start', async () => {
    const failed = await botport(['imports', 'start', junkZip(), '--wait']);
    const importId = /import (\w{10}) Failed/.exec(failed.stderr)![1];
    const latest = json(await botport(['--json', 'imports', 'describe', importId]));
    expect(latest.status).toBe('Failed');
    const retried = await botport(['--json', 'jobs', 'retry', latest.importId]);
    expect(json(retried)).toEqual({ kind: 'import', id: latest.importId, action: 'restarted' });
    const again = await until(
      'the retried import ends',
      () => botport(['--json', 'imports', 'describe', latest.importId]),
      (r) => json(r).status !== 'InProgress',
      30000,
    );
    expect(json(again).status).toBe('Failed'); // the same junk fails the same way, and says so
    expect((await botport(['jobs', 'retry', 'AAAAAAAAAA'])).stderr).toContain('404 no export or import AAAAAAAAAA was found');
  });

  test('sweep --dry-run counts what has expired and removes nothing; sweep removes it', async () => {
    const { exportId } = json(await botport(['--json', 'exports', 'create', '--bot', botId, '--wait']));
    await stack.api.ctx.db.query(`UPDATE export_jobs SET expires_at = now() - interval '1 minute' WHERE export_id = $1`, [exportId]);
    expect((await botport(['sweep', '--dry-run'])).stderr).toContain("403 the token lacks the 'operator' scope");
    const dry = await botport(['--json', 'sweep', '--dry-run'], { token: operator() });
    expect(dry.code).toBe(0);
    expect(json(dry)).toMatchObject({ dryRun: true, queued: false });
    expect(json(dry).expired.exports).toBeGreaterThanOrEqual(1);
    expect((await botport(['exports', 'describe', exportId])).code).toBe(0);
    const swept = await botport(['sweep'], { token: operator() });
    expect(swept.stdout).toMatch(/^sweeping \d+ exports, \d+ imports, \d+ uploads \(queued\)/);
    await until(
      'the expired export is swept',
      () => botport(['exports', 'describe', exportId]),
      (r) => r.code === 3,
      30000,
    );
  });

  test('token mint signs a working development token, and refuses in production', async () => {
    const minted = await botport(['token', 'mint', '--tenant', tenant, '--scope', 'bots:read', '--ttl', '5m'], { token: null });
    expect(minted.code).toBe(0);
    const listed = await botport(['--json', 'bots', 'list'], { token: minted.stdout.trim() });
    expect(json(listed).bots.map((b: { botId: string }) => b.botId)).toContain(botId);
    const readOnly = await botport(['exports', 'create', '--bot', botId], { token: minted.stdout.trim() });
    expect(readOnly.code).toBe(3);
    const prod = await botport(['token', 'mint', '--tenant', tenant], { token: null, env: { NODE_ENV: 'production' } });
    expect(prod.code).toBe(2);
    expect(prod.stderr).toContain('token mint is for development');
    expect((await botport(['token', 'mint', '--tenant', tenant, '--scope', 'root'], { token: null })).stderr).toContain('unknown scope root');
  });

  test('token mint without JWT_SECRET says so instead of signing a token the stack refuses; --dev-secret signs with the development one', async () => {
    const unset = await botport(['token', 'mint', '--tenant', tenant], { token: null, env: { JWT_SECRET: '' } });
    expect(unset.code).toBe(2);
    expect(unset.stderr).toContain('JWT_SECRET is not set');
    const dev = await botport(['token', 'mint', '--tenant', tenant, '--dev-secret'], { token: null, env: { JWT_SECRET: '' } });
    expect(dev.code).toBe(0);
    expect(jwt.verify(dev.stdout.trim(), DEV_JWT_SECRET)).toMatchObject({ tenant });
  });

  test('--help never prints the token BOTPORT_TOKEN holds', async () => {
    const help = await botport(['--help'], { token: null, env: { BOTPORT_TOKEN: bearer } });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--token <jwt>');
    expect(help.stdout).not.toContain(bearer.slice(0, 20));
  });

  test('exports describe shows what the export left out (its notes)', async () => {
    const created = json(await botport(['--json', 'exports', 'create', '--bot', botId, '--format', 'LexJson', '--wait']));
    expect(created.notes.length).toBeGreaterThan(0);
    const described = await botport(['exports', 'describe', created.exportId]);
    expect(described.stdout).toContain(`notes:\n  - ${created.notes[0]}`);
  });

  test('exit statuses a script can rely on', async () => {
    const usage = await botport(['exports', 'frobnicate']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("unknown command 'frobnicate'");
    expect((await botport(['exports', 'create'])).code).toBe(2); // --bot is required
    const none = await botport(['bots', 'list'], { token: null });
    expect([none.code, none.stderr.trim()]).toEqual([4, 'botport: no token: pass --token or set BOTPORT_TOKEN (npm start prints a development token)']);
    expect((await botport(['bots', 'list'], { token: 'nonsense' })).code).toBe(4);
    const missing = await botport(['--json', 'exports', 'describe', 'AAAAAAAAAA']);
    expect(missing.code).toBe(3);
    expect(JSON.parse(missing.stderr)).toMatchObject({ exitCode: 3, error: expect.stringContaining('404') });
    const down = await botport(['--url', 'http://127.0.0.1:9', 'bots', 'list']);
    expect(down.code).toBe(5);
    expect(down.stderr).toContain('botport is not reachable at http://127.0.0.1:9');
  });

  test('credentials create, list, rotate and revoke; the secret printed once and working with the AWS SDK', async () => {
    const { LexModelsV2Client, ListBotsCommand } = await import('@aws-sdk/client-lex-models-v2');
    const created = await botport(['credentials', 'create', 'ci exports', '--scope', 'bots:read', 'exports:read']);
    expect(created.code).toBe(0);
    const [, accessKeyId, secretAccessKey] = /AWS_ACCESS_KEY_ID=(\S+) AWS_SECRET_ACCESS_KEY=(\S+)/.exec(created.stdout) ?? [];
    expect(created.stdout).toContain('The secret is shown this once');
    const lex = new LexModelsV2Client({ endpoint: stack.api.url, region: 'us-east-1', credentials: { accessKeyId, secretAccessKey }, maxAttempts: 1 });
    try {
      expect((await lex.send(new ListBotsCommand({}))).botSummaries?.map((b) => b.botId)).toContain(botId);
      const listed = json(await botport(['--json', 'credentials', 'list']));
      expect(listed.credentials.find((c: { credentialId: string }) => c.credentialId === accessKeyId)).toMatchObject({
        name: 'ci exports',
        scopes: ['bots:read', 'exports:read'],
        status: 'Active',
      });
      expect(JSON.stringify(listed)).not.toContain(secretAccessKey);
      const rotated = json(await botport(['--json', 'credentials', 'rotate', accessKeyId]));
      expect(rotated.secret).not.toBe(secretAccessKey);
      // The old secret no longer signs.
      expect(((await lex.send(new ListBotsCommand({})).catch((e: Error) => e)) as Error).name).toBe('InvalidSignatureException');
      const revoked = await botport(['credentials', 'revoke', accessKeyId]);
      expect([revoked.code, revoked.stdout.trim()]).toEqual([0, `revoked ${accessKeyId} (ci exports)`]);
      expect((await botport(['credentials', 'rotate', accessKeyId])).code).toBe(3);
      expect((await botport(['credentials', 'create', 'x', '--scope', 'operator'])).code).toBe(3);
    } finally {
      lex.destroy();
    }
  });
});

import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { call, createBotWith, newTenant, token, useApiAndWorker } from '../support/harness';
import { demoBot } from '../support/fixtures';
import { exportNative, download } from '../support/native';

/** `botport backups`, `botport diff`, `botport imports plan` and `imports undo`: the built CLI in its own process against a real api and worker. */
const stack = useApiAndWorker();
const BIN = path.resolve(__dirname, '../../cli/bin/botport.js');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'botport-cli-backups-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

function botport(bearer: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [BIN, '--url', stack.api.url, '--token', bearer, ...args],
      { cwd: work, env: { ...process.env, BOTPORT_TOKEN: '' }, timeout: 60000 },
      (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin!.end('');
  });
}

describe('CLI: backups, diff, imports plan and undo', () => {
  test('backups create, run --wait (written, then unchanged), runs, archives, restore', async () => {
    const bearer = token(newTenant());
    const botId = await createBotWith(stack.api, bearer, demoBot('CliBacked'));
    const created = await botport(bearer, ['--json', 'backups', 'create', 'daily', '--bot', botId, '--schedule', '0 3 * * *', '--keep-last', '3']);
    expect(created.code).toBe(0);
    const policy = JSON.parse(created.stdout);
    expect(policy).toMatchObject({ name: 'daily', botId, retention: { keepLast: 3 } });
    expect((await botport(bearer, ['backups', 'list'])).stdout).toMatch(new RegExp(`${policy.policyId}\\s+daily\\s+${botId}\\s+0 3 \\* \\* \\* UTC`));
    const first = await botport(bearer, ['backups', 'run', policy.policyId, '--wait']);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/Completed\s+CliBacked\s+DRAFT\s+DRAFT\s+written/);
    expect((await botport(bearer, ['backups', 'run', policy.policyId, '--wait'])).stdout).toMatch(/Unchanged\s+CliBacked\s+DRAFT\s+DRAFT\s+unchanged/);
    expect((await botport(bearer, ['backups', 'runs', policy.policyId])).stdout.match(/CliBacked/g)).toHaveLength(2);
    const archives = JSON.parse((await botport(bearer, ['--json', 'backups', 'archives', policy.policyId])).stdout).archives;
    expect(archives).toHaveLength(1);
    const restore = await botport(bearer, ['backups', 'restore', policy.policyId, archives[0].archiveId]);
    expect(restore.stdout).toMatch(/restoring as import \w{10}/);
    expect((await botport(bearer, ['backups', 'create', 'bad', '--schedule', 'nope'])).code).toBe(3);
  });

  test('diff prints what changed; --exit-code says whether the sides differ; --to-file compares a local archive', async () => {
    const bearer = token(newTenant());
    const botId = await createBotWith(stack.api, bearer, demoBot('CliDiff'), true);
    await call(stack.api, 'PUT', `/v1/bots/${botId}/versions/DRAFT/components/action/Extra`, { token: bearer, body: { body: {} } });
    const run = await botport(bearer, ['diff', botId, '--from', '1', '--to', 'DRAFT']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^1 \(BotportJson\) → DRAFT \(BotportJson\), compared as BotportJson\n\+ action Extra\n\d+ unchanged/);
    expect((await botport(bearer, ['diff', botId, '--from', '1', '--to', 'DRAFT', '--exit-code'])).code).toBe(1);
    const lex = await exportNative(stack.api, bearer, { botId, botVersion: '1', fileFormat: 'LexJson' });
    const file = path.join(work, 'lex.zip');
    fs.writeFileSync(file, await download(lex.downloadUrl));
    const same = await botport(bearer, ['diff', botId, '--from', '1', '--to-file', file, '--exit-code']);
    expect(same.code).toBe(0);
    expect(same.stdout).toMatch(/compared as LexJson\nno differences/);
  });

  test('imports plan shows the plan and changes nothing; imports start --draft-revision applies it; imports undo puts it back', async () => {
    const bearer = token(newTenant());
    const botId = await createBotWith(stack.api, bearer, demoBot('CliPlan'));
    const exported = await exportNative(stack.api, bearer, { botId, botVersion: 'DRAFT', fileFormat: 'BotportJson' });
    const file = path.join(work, 'plan.zip');
    fs.writeFileSync(file, await download(exported.downloadUrl));
    await call(stack.api, 'DELETE', `/v1/bots/${botId}/versions/DRAFT/components/customDashboard/Orders`, { token: bearer });

    const plan = await botport(bearer, ['imports', 'plan', file, '--bot', botId, '--merge', 'Overwrite']);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(/^plan: the import applies \(bot CliPlan\)\n\+ customDashboard Orders\n/);
    const revision = JSON.parse((await botport(bearer, ['--json', 'imports', 'plan', file, '--bot', botId, '--merge', 'Overwrite'])).stdout).draftRevision;
    const applied = JSON.parse(
      (await botport(bearer, ['--json', 'imports', 'start', file, '--bot', botId, '--merge', 'Overwrite', '--draft-revision', String(revision), '--wait']))
        .stdout,
    );
    expect(applied).toMatchObject({ status: 'Completed', summary: { added: 1 } });
    const undo = await botport(bearer, ['imports', 'undo', applied.importId]);
    expect(undo.stdout).toMatch(/undone: \w{10} \(0 restored, 1 removed\)/);
    const again = await botport(bearer, ['imports', 'undo', applied.importId]);
    expect(again.code).toBe(3);
    expect(again.stderr).toMatch(/409 import \w{10} was already undone/);
  });
});

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { call, createBotWith, newTenant, token, useApiAndWorker } from '../support/harness';
import { demoBot } from '../support/fixtures';
import { launchChromium, screenshot } from '../support/browser';
import { download, exportNative } from '../support/native';

/**
 * The console's backup, plan, undo and diff flows in real Chromium, as a new
 * user would try them: a page per bot (versions, locales, backups, exports,
 * a diff), a backup policy and its runs, an archive replacing a bot's DRAFT
 * with the plan shown first, the imports history with Undo, a name for a new
 * bot, the filters of each export, and only the buttons the token's scopes
 * allow. Screenshots go to test/artifacts/console-backups/.
 */
const stack = useApiAndWorker();
const SHOTS = 'console-backups';
let browser: Browser;
let page: Page;
let bearer: string;
let botId: string;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'botport-console-backups-'));

beforeAll(async () => {
  const tenant = newTenant();
  bearer = token(tenant);
  botId = await createBotWith(stack.api, bearer, demoBot(), true);
  await call(stack.api, 'PUT', `/v1/bots/${botId}/versions/DRAFT/components/action/Refund`, { token: bearer, body: { body: { service: 'refunds' } } });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${stack.api.url}/console/`);
  await page.getByLabel('Access token').fill(bearer);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('row', { name: /PizzaBot/ }).waitFor();
});

afterAll(async () => {
  await browser?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

describe('console: bot page, backups, plan, undo, diff', () => {
  test("a bot's page: versions, locales, backups, last exports, and a diff of version 1 against the DRAFT", async () => {
    const filtered = await exportNative(stack.api, bearer, { botId, botVersion: '1', exportOptions: { categories: { settings: ['botSettings'] } } });
    await page.getByRole('button', { name: 'Refresh' }).nth(1).click();
    // The history says which filters each export used.
    await page.locator(`tr[data-export-id="${filtered.exportId}"]`).getByText('settings: botSettings').waitFor();

    await page.getByRole('button', { name: 'Open PizzaBot' }).click();
    const bot = page.locator('#bot-page');
    await bot
      .locator('#bot-page-versions')
      .getByText(/^Version 1/)
      .waitFor();
    expect(await bot.locator('#bot-page-locales').textContent()).toBe('de_DE, en_US');
    await bot.locator('#bot-page-exports li').first().waitFor();
    await bot.getByLabel('From').fill('1');
    await bot.getByLabel('To').fill('DRAFT');
    await bot.getByRole('button', { name: 'Compare' }).click();
    await bot.getByText('added: action Refund').waitFor();
    expect(await bot.locator('#diff-result').textContent()).toContain('1 difference(s)');
    await screenshot(page, SHOTS, '01-bot-page-diff');
    await bot.getByRole('button', { name: 'Close' }).click();
  });

  test('a backup policy: saved, run now, its runs listed (written, then unchanged)', async () => {
    const form = page.locator('#policy-form');
    await form.getByLabel('Name').fill('nightly');
    await form.getByLabel('Bot', { exact: true }).selectOption({ label: 'PizzaBot' });
    await form.getByLabel('Schedule (cron)').fill('0 3 * * *');
    await form.getByLabel('Keep the newest').fill('5');
    await form.getByRole('button', { name: 'Save policy' }).click();
    await form.getByText(/Saved “nightly”; the first run is due/).waitFor();
    const row = page.getByRole('row', { name: /nightly/ });
    await row.getByText('newest 5').waitFor();
    await page.getByRole('button', { name: 'Run nightly now' }).click();
    await page
      .locator('#runs-table')
      .getByText(/PizzaBot DRAFT: written/)
      .waitFor();
    await page.getByRole('button', { name: 'Run nightly now' }).click();
    await page.locator('#runs-table').getByRole('cell', { name: 'Unchanged', exact: true }).waitFor();
    expect(await page.locator('#runs-table tbody tr').count()).toBe(2);
    await screenshot(page, SHOTS, '02-backup-runs');

    // The bot's page lists the policy.
    await page.getByRole('button', { name: 'Open PizzaBot' }).click();
    await page
      .locator('#bot-page-backups')
      .getByText(/nightly: 0 3 \* \* \*/)
      .waitFor();
    await page.locator('#bot-page').getByRole('button', { name: 'Close' }).click();

    // A bucket that refuses is said when saving, in a sentence.
    await page.locator('#policy-form').getByLabel('Name').fill('mine');
    await page.locator('#policy-form').getByLabel('My own S3 bucket').check();
    await page.getByLabel('Endpoint').fill('http://127.0.0.1:9');
    await page.getByLabel('Bucket', { exact: true }).fill('nowhere');
    await page.getByLabel('Access key id').fill('KEY');
    await page.getByLabel('Secret access key').fill('SECRET');
    await page.getByRole('button', { name: 'Save policy' }).click();
    await page
      .locator('#policy-status')
      .getByText(/botport could not accept that: .*loopback|refused a test write/)
      .waitFor();
    await screenshot(page, SHOTS, '03-bucket-refused');
  });

  test("replace an existing bot's DRAFT from an archive: the plan first, then the import, then Undo from the imports history", async () => {
    const before = await exportNative(stack.api, bearer, { botId, botVersion: 'DRAFT' });
    const v1 = await exportNative(stack.api, bearer, { botId, botVersion: '1' });
    const file = path.join(work, 'v1.zip');
    fs.writeFileSync(file, await download(v1.downloadUrl));
    const form = page.locator('#import-form');
    await form.getByLabel('Archive (.zip)').setInputFiles(file);
    await form.getByLabel("Replace an existing bot's draft").check();
    await form.getByLabel('Bot', { exact: true }).selectOption({ label: 'PizzaBot' });
    await form.getByLabel('When a component already exists').selectOption('Replace');
    await form.getByRole('button', { name: 'Show the plan first' }).click();
    const plan = page.locator('#import-plan-result');
    await plan.getByText('delete action Refund').waitFor();
    expect(await plan.textContent()).toContain('0 to create, 0 to update, 1 to delete');
    expect((await call(stack.api, 'GET', `/v1/bots/${botId}/versions/DRAFT`, { token: bearer })).text).toContain('Refund'); // the plan changed nothing
    await screenshot(page, SHOTS, '04-import-plan');

    const started = page.waitForRequest((r) => r.url().includes('/v1/imports?') && r.method() === 'POST');
    await form.getByRole('button', { name: 'Start import' }).click();
    expect((await started).url()).toMatch(/draftRevision=\d+/); // guarded by the plan's revision
    await form.getByText(/Imported into the bot “PizzaBot”/).waitFor();
    expect((await call(stack.api, 'GET', `/v1/bots/${botId}/versions/DRAFT`, { token: bearer })).text).not.toContain('Refund');

    const history = page.locator('#imports-table');
    await history.getByText('Replace · plan').waitFor();
    page.once('dialog', (d) => void d.accept());
    await history
      .getByRole('button', { name: /^Undo import/ })
      .first()
      .click();
    await page.getByText(/Undone: PizzaBot's draft is as it was before import/).waitFor();
    await screenshot(page, SHOTS, '05-imports-history-undone');
    const after = await exportNative(stack.api, bearer, { botId, botVersion: 'DRAFT' });
    expect(after.sha256).toBe(before.sha256);
  });

  test('a new bot from an archive gets the name given', async () => {
    const v1 = await exportNative(stack.api, bearer, { botId, botVersion: '1' });
    const file = path.join(work, 'named.zip');
    fs.writeFileSync(file, await download(v1.downloadUrl));
    const form = page.locator('#import-form');
    await form.getByLabel('Archive (.zip)').setInputFiles(file);
    await form.getByLabel('A new bot').check();
    await form.getByLabel(/Name of the new bot/).fill('PizzaBot staging');
    await form.getByRole('button', { name: 'Start import' }).click();
    await form.getByText('Imported into the new bot “PizzaBot staging”').waitFor();
    await page
      .locator('#bots')
      .getByRole('row', { name: /PizzaBot staging/ })
      .waitFor();
  });

  test('a read-only token is offered no export, import, undo or backup buttons', async () => {
    const reader = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    try {
      await reader.goto(`${stack.api.url}/console/`);
      await reader.getByLabel('Access token').fill(token(newTenantOf(bearer), { scopes: ['bots:read', 'exports:read', 'imports:read'] }));
      await reader.getByRole('button', { name: 'Sign in' }).click();
      await reader
        .getByRole('row', { name: /PizzaBot/ })
        .first()
        .waitFor();
      expect(await reader.getByRole('button', { name: /^Export / }).count()).toBe(0);
      expect(await reader.locator('#import').isVisible()).toBe(false);
      expect(await reader.locator('#backups').isVisible()).toBe(false);
      await reader.locator('#imports-table tbody tr').first().waitFor();
      expect(await reader.getByRole('button', { name: /^Undo import/ }).count()).toBe(0);
      await screenshot(reader, SHOTS, '06-read-only');
    } finally {
      await reader.close();
    }
  });
});

/** The tenant of a token this file minted (its claims, unverified: the test made it). */
function newTenantOf(jwt: string): string {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8')).tenant;
}

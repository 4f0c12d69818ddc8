import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { SCOPES } from '@botport/shared';
import { call, createBotWith, newTenant, token, useApiAndWorker, waitForExport } from '../support/harness';
import { demoBot } from '../support/fixtures';
import { launchChromium, screenshot } from '../support/browser';
import { download, unzip } from '../support/zip';
import { until } from '../support/processes';

/**
 * The console in real Chromium, the way a person uses it: sign in, export the
 * demo bot with a filter, watch it reach 100%, download, find it in the
 * history, delete it, import it back as a new bot. Screenshots of each step
 * go to test/artifacts/console/.
 */
// notifyUrl on, and allowed to reach this machine, for the receiver of the delivery test.
const stack = useApiAndWorker({ NOTIFY_SIGNING_SECRET: 'notify-secret-for-console-tests-0123456789', NOTIFY_ALLOW_PRIVATE: 'true' });
const SHOTS = 'console';
let browser: Browser;
let page: Page;
let tenant: string;
let bearer: string;
let botId: string;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'botport-console-'));

beforeAll(async () => {
  tenant = newTenant();
  bearer = token(tenant);
  botId = await createBotWith(stack.api, bearer, demoBot(), true);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
});

afterAll(async () => {
  await browser?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

let botList: { botId: string; name: string }[] = [];
const bots = () => botList;

/** The native view of an export once it has finished. */
async function finished(exportId: string): Promise<any> {
  await waitForExport(stack.api, bearer, exportId);
  return (await call(stack.api, 'GET', `/v1/exports/${exportId}`, { token: bearer })).body;
}

/** Signs the page in again as the file's tenant, once its bots are listed. */
async function signInAgain(): Promise<void> {
  await page.getByLabel('Access token').fill(bearer);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page
    .getByRole('row', { name: /PizzaBot/ })
    .first()
    .waitFor();
}

async function entriesOf(file: Buffer): Promise<string[]> {
  return [...(await unzip(file)).keys()].filter((name) => name !== 'manifest.json').sort();
}

describe('web console in Chromium', () => {
  jest.setTimeout(180000);

  test('a bad token gets a sentence, not a stack trace', async () => {
    await page.goto(`${stack.api.url}/console/`);
    await page.getByLabel('Access token').fill('not-a-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Your token was not accepted').waitFor();
    await screenshot(page, SHOTS, '01-bad-token');
  });

  test('every field has a label and the page sends a strict content policy', async () => {
    // Evaluated in the page (the tests' own types have no DOM).
    const unlabelled = await page.evaluate(`[...document.querySelectorAll('input, select, textarea')]
      .filter((e) => !e.labels?.length && !e.getAttribute('aria-label'))
      .map((e) => e.id || e.outerHTML)`);
    expect(unlabelled).toEqual([]);
    const res = await fetch(`${stack.api.url}/console/`);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
  });

  test('sign in, export with a filter, watch it reach 100%, download, see it in the history, delete it, import it back', async () => {
    await page.getByLabel('Access token').fill(bearer);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('row', { name: /PizzaBot/ }).waitFor();
    expect(await page.locator('#who').textContent()).toContain(`tenant ${tenant}`);
    await screenshot(page, SHOTS, '02-bots');

    // The export dialog, opened from the keyboard: the Export button is a real button.
    await page.getByRole('button', { name: 'Export PizzaBot' }).focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    expect(await page.getByLabel('Version').locator('option').allTextContents()).toEqual(['Draft', 'Version 1']);
    // One locale holds no tasks and no bot settings: they are not offered for it.
    expect(await dialog.locator('#export-tasks').isVisible()).toBe(true);
    await page.getByLabel('Scope').selectOption('en_US');
    expect(await dialog.locator('#export-tasks').isVisible()).toBe(false);
    expect(await dialog.getByLabel('ivrSettings').isVisible()).toBe(false);
    // Unticking one item of a category sends that category's ticked items.
    await dialog.getByLabel('patterns').uncheck();
    await screenshot(page, SHOTS, '03-export-options');
    const created = page.waitForResponse((r) => r.url().endsWith('/v1/exports') && r.request().method() === 'POST');
    await dialog.getByRole('button', { name: 'Start export' }).click();
    const job = await (await created).json();
    expect(job.exportOptions.subTasks).toBeUndefined();
    expect(job.exportOptions.categories).toEqual({
      nlpData: ['utterances', 'traits', 'rules', 'concepts', 'synonyms', 'standardResponses', 'nlpSettings'],
    });

    // Progress is live and ends at 100% with a download button.
    await page.getByText('Export ready: 100%').waitFor();
    expect(await page.locator('#job-progress').getAttribute('value')).toBe('100');
    await screenshot(page, SHOTS, '04-export-ready');

    const [saved] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download', exact: true }).click()]);
    const archivePath = path.join(work, 'export.zip');
    await saved.saveAs(archivePath);
    const archive = fs.readFileSync(archivePath);

    // What arrived is exactly what the same filter gives through the API, and less than the whole bot.
    const done = await finished(job.exportId);
    expect(crypto.createHash('sha256').update(archive).digest('hex')).toBe(done.sha256);
    const viaApi = await call(stack.api, 'POST', '/v1/exports', {
      token: bearer,
      body: { botId, localeId: 'en_US', exportOptions: job.exportOptions },
    });
    const same = await finished(viaApi.body.exportId);
    const whole = await finished((await call(stack.api, 'POST', '/v1/exports', { token: bearer, body: { botId } })).body.exportId);
    const entries = await entriesOf(archive);
    expect(entries).toEqual(await entriesOf((await download(same.downloadUrl)).data));
    expect(entries.length).toBeLessThan((await entriesOf((await download(whole.downloadUrl)).data)).length);
    expect(entries.some((e) => e.includes('de_DE'))).toBe(false);

    // The history lists it with its size and SHA-256; deleting it asks first, then it goes.
    await page.getByRole('button', { name: 'Refresh' }).nth(1).click();
    const row = page.locator(`tr[data-export-id="${job.exportId}"]`);
    await row.getByText('Completed').waitFor();
    expect(await row.locator('td.hash').getAttribute('title')).toBe(done.sha256);
    await screenshot(page, SHOTS, '05-history');
    page.once('dialog', (d) => d.accept());
    await row.getByRole('button', { name: `Delete export ${job.exportId}` }).click();
    // Deleting, or already gone when the worker was quicker than the page.
    await page.locator(`tr[data-export-id="${job.exportId}"]`, { hasText: 'Completed' }).waitFor({ state: 'detached' });
    await until(
      'the export is deleted',
      () => call(stack.api, 'GET', `/v1/exports/${job.exportId}`, { token: bearer }),
      (r) => r.status === 404,
      30000,
    );
    await page.getByRole('button', { name: 'Refresh' }).nth(1).click();
    await row.waitFor({ state: 'detached' });

    // Import the downloaded archive back as a new bot.
    await page.getByLabel('Archive (.zip)').setInputFiles(archivePath);
    await page.getByRole('button', { name: 'Start import' }).click();
    await page.getByText('Imported into the new bot “PizzaBot (2)”').waitFor();
    await page
      .locator('#bots')
      .getByRole('row', { name: /PizzaBot \(2\)/ })
      .waitFor();
    await screenshot(page, SHOTS, '06-imported');
    botList = (await call(stack.api, 'GET', '/v1/bots', { token: bearer })).body.bots;
    expect(botList.map((b) => b.name)).toEqual(['PizzaBot', 'PizzaBot (2)']);
  });

  test('a whole-bot export of one task with the tasks it depends on holds exactly what the API gives for the same filter', async () => {
    await page.getByRole('button', { name: 'Export PizzaBot', exact: true }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Checkout (dialog)').check();
    await dialog.getByLabel('Include the tasks they depend on').check();
    await dialog.getByLabel('ivrSettings').uncheck();
    const created = page.waitForResponse((r) => r.url().endsWith('/v1/exports') && r.request().method() === 'POST');
    await dialog.getByRole('button', { name: 'Start export' }).click();
    const job = await (await created).json();
    expect(job.exportOptions.subTasks).toEqual({ dialogs: ['Checkout'] });
    expect(job.exportOptions.includeDependentTasks).toBe(true);
    expect(job.exportOptions.categories.settings).toEqual(['botSettings', 'botVariables', 'genAIandLLMSettings']);
    await page.getByText('Export ready: 100%').waitFor();
    const done = await finished(job.exportId);
    const same = await finished(
      (await call(stack.api, 'POST', '/v1/exports', { token: bearer, body: { botId, exportOptions: job.exportOptions } })).body.exportId,
    );
    const entries = await entriesOf((await download(done.downloadUrl)).data);
    expect(entries).toEqual(await entriesOf((await download(same.downloadUrl)).data));
    // Checkout and what it reaches (Receipt, Survey, ChargeCard), not TrackOrder; no ivrSettings.
    expect(entries.filter((e) => /^bot\/(dialog|action|alert)\//.test(e))).toEqual([
      'bot/action/ChargeCard.json',
      'bot/dialog/Checkout.json',
      'bot/dialog/Receipt.json',
      'bot/dialog/Survey.json',
    ]);
    expect(entries.some((e) => e.startsWith('bot/ivrSettings/'))).toBe(false);
  });

  test('when the event stream breaks, progress falls back to polling; a protected export goes back into a locale of another bot with its password', async () => {
    await page.route('**/v1/exports/*/events', (route) => route.abort()); // a proxy that drops the stream
    try {
      await page.getByRole('button', { name: 'Export PizzaBot', exact: true }).click();
      const dialog = page.getByRole('dialog');
      await page.getByLabel('Scope').selectOption('de_DE');
      await dialog.getByLabel(/^Password/).fill('hunter2-hunter2');
      await dialog.getByRole('button', { name: 'Start export' }).click();
      await page.getByText('Export ready: 100%').waitFor();
    } finally {
      await page.unroute('**/v1/exports/*/events');
    }
    const [saved] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download', exact: true }).click()]);
    const protectedPath = path.join(work, 'protected-de.zip');
    await saved.saveAs(protectedPath);

    const target = bots().find((b) => b.name === 'PizzaBot (2)')!;
    const before = (await call(stack.api, 'GET', `/v1/bots/${target.botId}/versions/DRAFT/outline`, { token: bearer })).body;
    expect(before.locales).toEqual(['en_US']);
    await page.getByLabel('Archive (.zip)').setInputFiles(protectedPath);
    await page.getByLabel('A locale of an existing bot').check();
    await page.locator('#import-form').getByLabel('Bot', { exact: true }).selectOption({ label: 'PizzaBot (2)' });
    await page.getByLabel('Locale', { exact: true }).fill('de_DE');
    await page.getByLabel(/^Archive password/).fill('the-wrong-one');
    await page.getByRole('button', { name: 'Start import' }).click();
    await page.getByText(/The import failed and changed nothing: .*password/).waitFor();
    expect((await call(stack.api, 'GET', `/v1/bots/${target.botId}/versions/DRAFT/outline`, { token: bearer })).body).toEqual(before);

    await page.getByLabel('Archive (.zip)').setInputFiles(protectedPath);
    await page.getByLabel(/^Archive password/).fill('hunter2-hunter2');
    await page.getByRole('button', { name: 'Start import' }).click();
    await page.getByText(/Imported into the bot “PizzaBot \(2\)”\. \d+ components added/).waitFor();
    await screenshot(page, SHOTS, '06b-imported-into-locale');
    const after = (await call(stack.api, 'GET', `/v1/bots/${target.botId}/versions/DRAFT/outline`, { token: bearer })).body;
    expect(after.locales).toEqual(['de_DE', 'en_US']);
  });

  test('a failed import says why and changes nothing', async () => {
    const before = await call(stack.api, 'GET', '/v1/bots', { token: bearer });
    const junk = path.join(work, 'not-a-zip.zip');
    fs.writeFileSync(junk, 'this is not a zip archive');
    await page.getByLabel('Archive (.zip)').setInputFiles(junk);
    await page.getByRole('button', { name: 'Start import' }).click();
    await page.getByText(/The import failed and changed nothing: .+/).waitFor();
    await screenshot(page, SHOTS, '07-import-failed');
    expect((await call(stack.api, 'GET', '/v1/bots', { token: bearer })).body).toEqual(before.body);
  });

  test('signing out leaves nothing of the tenant for the next one: no export panel, file, import error, history or bots', async () => {
    await page.getByLabel('Archive (.zip)').setInputFiles(path.join(work, 'not-a-zip.zip'));
    await page.getByRole('button', { name: 'Sign out' }).click();
    const other = newTenant();
    await page.getByLabel('Access token').fill(token(other));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#who', { hasText: `tenant ${other}` }).waitFor();
    expect(await page.locator('#job').isVisible()).toBe(false);
    expect(await page.locator('#import-result').isVisible()).toBe(false);
    expect(await page.locator('#import-status').textContent()).toBe('');
    expect(await page.getByLabel('Archive (.zip)').inputValue()).toBe('');
    expect(await page.locator('#history tbody tr').count()).toBe(0);
    expect(await page.locator('#bots tbody tr').count()).toBe(0);
    await screenshot(page, SHOTS, '07b-signed-in-as-another-tenant');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signInAgain();
  });

  test('an export with a notify URL lists its delivery attempts under it, and again from the history', async () => {
    const answers = [500];
    const hook = http.createServer((req, res) => req.resume().on('end', () => res.writeHead(answers.shift() ?? 200).end()));
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    try {
      const notifyUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hooks/botport`;
      await page.getByRole('button', { name: 'Export PizzaBot', exact: true }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByLabel(/^Notify URL/).fill(notifyUrl);
      const created = page.waitForResponse((r) => r.url().endsWith('/v1/exports') && r.request().method() === 'POST');
      await dialog.getByRole('button', { name: 'Start export' }).click();
      const { exportId } = await (await created).json();
      await page.getByText('Export ready: 100%').waitFor();
      const attempts = page.locator('#job-delivery-list');
      expect(await page.locator('#job-delivery-target').textContent()).toBe(notifyUrl);
      await attempts.getByText(/attempt 1 failed: the receiver answered 500; next try/).waitFor();
      await attempts.getByText('attempt 2 delivered (200)').waitFor();
      await screenshot(page, SHOTS, '07b-notifications');

      await page.getByRole('button', { name: 'Refresh' }).nth(1).click();
      await page.getByRole('button', { name: `Notifications of export ${exportId}` }).click();
      await attempts.getByText('attempt 2 delivered (200)').waitFor();
      expect(await attempts.locator('li').count()).toBe(2);
    } finally {
      await new Promise((r) => hook.close(r));
    }
  });

  test('the docs page renders every operation of /openapi.json, grouped by surface', async () => {
    const doc = (await (await fetch(`${stack.api.url}/openapi.json`)).json()) as { paths: Record<string, object> };
    const operations = Object.values(doc.paths).reduce((n: number, methods) => n + Object.keys(methods).length, 0);
    const docs = await browser.newPage();
    await docs.goto(`${stack.api.url}/console/docs.html`);
    await docs.getByRole('heading', { name: /Amazon Lex V2/ }).waitFor();
    expect(await docs.locator('details.op').count()).toBe(operations);
    const createExport = docs.locator('details.op', { hasText: 'CreateExport' });
    await createExport.getByText('CreateExport').click();
    await createExport.getByText('Request body').waitFor();
    expect(await createExport.locator('pre').textContent()).toContain('"fileFormat"');
    await screenshot(docs, SHOTS, '09-api-docs');
    await docs.close();
  });

  test('the operator opens the queue dashboard (bull-board) from the console; a tenant admin is not offered it', async () => {
    const tenantAdmin = await browser.newPage();
    await tenantAdmin.goto(`${stack.api.url}/console/`);
    await tenantAdmin.getByLabel('Access token').fill(bearer);
    await tenantAdmin.getByRole('button', { name: 'Sign in' }).click();
    await tenantAdmin.getByRole('button', { name: 'Sign out' }).waitFor();
    expect(await tenantAdmin.getByRole('button', { name: 'Queues' }).isVisible()).toBe(false);
    await tenantAdmin.close();

    const admin = await browser.newPage();
    await admin.goto(`${stack.api.url}/console/`);
    await admin.getByLabel('Access token').fill(token(tenant, { scopes: [...SCOPES, 'operator'] }));
    await admin.getByRole('button', { name: 'Sign in' }).click();
    await admin.getByRole('button', { name: 'Queues' }).click();
    await admin.waitForURL(/\/admin\/board\/$/);
    await admin.getByText('exports', { exact: true }).first().waitFor();
    await screenshot(admin, SHOTS, '10-queue-dashboard');
    const cookie = (await admin.context().cookies()).find((c) => c.name === 'botport_operator')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/admin/board' });
    await admin.close();
  });

  test('the admin creates a bot key, sees its secret once, uses it, rotates and revokes it', async () => {
    await page.locator('#credentials-section').waitFor();
    await page.locator('#credentials-section').getByLabel('Name', { exact: true }).fill('Xenioo pipeline');
    await page.getByLabel(/Limited to/).selectOption({ label: 'PizzaBot' });
    await page.getByLabel(/^Permissions/).fill('backup bots:read');
    await page.getByRole('button', { name: 'Create credential' }).click();
    const secret = page.locator('#credential-secret-text');
    await secret.filter({ hasText: 'BotAPISecret=' }).waitFor();
    await screenshot(page, SHOTS, '09-credential-secret-once');
    const [, apiKey, apiSecret] = /BotAPIKey=(\S+)\s+BotAPISecret=(\S+)/.exec((await secret.textContent())!)!;
    const signIn = await call(stack.api, 'POST', '/authorization/integration', { body: { BotAPIKey: apiKey, BotAPISecret: apiSecret } });
    expect(signIn.status).toBe(200);
    const row = page.locator(`tr[data-credential-id="${apiKey}"]`);
    await row.getByText('backup bots:read — bot PizzaBot').waitFor();

    page.once('dialog', (d) => d.accept());
    await row.getByRole('button', { name: 'Rotate Xenioo pipeline' }).click();
    await secret.filter({ hasNotText: apiSecret }).filter({ hasText: 'BotAPISecret=' }).waitFor();
    expect((await call(stack.api, 'POST', '/authorization/integration', { body: { BotAPIKey: apiKey, BotAPISecret: apiSecret } })).status).toBe(404);

    page.once('dialog', (d) => d.accept());
    await row.getByRole('button', { name: 'Revoke Xenioo pipeline' }).click();
    await row.getByText(/^Revoked/).waitFor();
    expect((await call(stack.api, 'GET', '/bots/backup', { token: signIn.body.token })).status).toBe(400);
    await screenshot(page, SHOTS, '10-credential-revoked');
    // Signing out takes the secret off the page.
    await page.getByRole('button', { name: 'Sign out' }).click();
    expect(await secret.textContent()).toBe('');
    await signInAgain();
  });

  test('on a phone the bots and history read as cards', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await page
      .getByRole('row', { name: /PizzaBot/ })
      .first()
      .waitFor();
    const width = await page.evaluate('document.documentElement.scrollWidth');
    expect(width).toBeLessThanOrEqual(390);
    await screenshot(page, SHOTS, '08-phone');
  });
});

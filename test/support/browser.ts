import fs from 'node:fs';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';

/** Debian's Chromium, installed by `npm test` when missing (see infra/local/test.js). */
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Screenshots land here; CI keeps the folder as the run's artifacts (git ignores it). */
export const ARTIFACTS = path.resolve(__dirname, '..', 'artifacts');

export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM))
    throw new Error(`Chromium is not at ${CHROMIUM}: npm test installs it as root (apt-get install chromium), or set CHROMIUM_PATH`);
  return chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
}

/** A full-page screenshot under test/artifacts/{folder}/{name}.png; returns its path. */
export async function screenshot(page: Page, folder: string, name: string): Promise<string> {
  const file = path.join(ARTIFACTS, folder, `${name}.png`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

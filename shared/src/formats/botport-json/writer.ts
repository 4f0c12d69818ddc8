import { createHash } from 'node:crypto';
import type { ZipEntry } from '../../archive/zip-writer';
import { componentJson } from '../../bots/snapshot';
import { FileNames } from '../file-names';
import type { DerivedFormat, LayoutInput } from '../format';

export const BOTPORT_JSON_VERSION = 1;

/**
 * botport's native, lossless layout: `bot.json`, one file per component in a
 * readable tree (`locales/en_US/intent/OrderPizza.json`, `bot/dialog/Checkout.json`)
 * and, last, `manifest.json` with every entry's SHA-256 and size. A
 * component's file is its definition-document JSON, the body as PostgreSQL
 * writes it: derived per component, so its deflated bytes are cached.
 */
export const botportJson: DerivedFormat = {
  name: 'BotportJson',
  layout: {
    revision: 1,
    files: (c) => ({ files: [{ path: '', data: Buffer.from(`${componentJson(c)}\n`, 'utf8') }], notes: [], marks: {} }),
    arrange,
  },
};

async function* arrange(input: LayoutInput): AsyncGenerator<ZipEntry> {
  const listed: Promise<Listed>[] = [];
  const names = new FileNames();
  const text = (path: string, content: string): ZipEntry => {
    const data = Buffer.from(content, 'utf8');
    listed.push(Promise.resolve({ path, sha256: createHash('sha256').update(data).digest('hex'), size: data.length }));
    return { name: path, data };
  };

  const { botId, name, description, version } = input.header;
  yield text('bot.json', `${JSON.stringify({ name, description }, null, 2)}\n`);
  let count = 0;
  for await (const c of input.components) {
    const path = names.take(c.locale ? `locales/${c.locale}/${c.kind}` : `bot/${c.kind}`, c.name, '.json');
    const { entry } = c.files[0];
    listed.push(Promise.resolve(entry.stored).then((s) => ({ path, sha256: s.sha256, size: s.size })));
    yield { name: path, prepared: entry };
    count++;
  }
  const manifest = {
    format: 'BotportJson',
    formatVersion: BOTPORT_JSON_VERSION,
    bot: { botId, name, description },
    botVersion: version,
    localeId: input.localeId,
    exportOptions: input.options,
    resolvedTasks: input.resolvedTasks,
    componentCount: count,
    entries: await Promise.all(listed),
  };
  yield { name: 'manifest.json', data: Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8') };
}

interface Listed {
  path: string;
  sha256: string;
  size: number;
}

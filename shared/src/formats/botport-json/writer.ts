import { createHash } from 'node:crypto';
import type { ZipEntry } from '../../archive/zip-writer';
import { componentJson } from '../../bots/snapshot';
import { FileNames } from '../file-names';
import type { ArchiveFormat, FormatInput } from '../format';

export const BOTPORT_JSON_VERSION = 1;

/**
 * botport's native, lossless layout: `bot.json`, one file per component in a
 * readable tree (`locales/en_US/intent/OrderPizza.json`, `bot/dialog/Checkout.json`)
 * and, last, `manifest.json` with every entry's SHA-256 and size.
 */
export const botportJson: ArchiveFormat = {
  name: 'BotportJson',
  async *entries(input: FormatInput): AsyncGenerator<ZipEntry> {
    const files: { path: string; sha256: string; size: number }[] = [];
    const names = new FileNames();
    const entry = (path: string, text: string): ZipEntry => {
      const data = Buffer.from(text, 'utf8');
      files.push({ path, sha256: createHash('sha256').update(data).digest('hex'), size: data.length });
      return { name: path, data };
    };

    const { botId, name, description, version } = input.header;
    yield entry('bot.json', `${JSON.stringify({ name, description }, null, 2)}\n`);
    let count = 0;
    for await (const c of input.components) {
      const folder = c.locale ? `locales/${c.locale}/${c.kind}` : `bot/${c.kind}`;
      yield entry(names.take(folder, c.name, '.json'), `${componentJson(c)}\n`);
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
      entries: files,
    };
    yield { name: 'manifest.json', data: Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8') };
  },
};

import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { OpenArchive } from '../../archive/zip-reader';
import { checkComponent, type Component, nameSchema, withSource } from '../../bots/definition';
import { type FieldError, ValidationError } from '../../errors';
import type { ArchiveReader, ImportedBot } from '../format';
import { parseJsonEntry, parseJsonText } from '../json-entry';
import { BOTPORT_JSON_VERSION } from './writer';

const MANIFEST = 'manifest.json';
const BOT_FILE = 'bot.json';
/** Enough to act on; a thousand more of the same help nobody. */
const MAX_REPORTED = 20;

const manifestSchema = z.object({
  format: z.literal('BotportJson'),
  formatVersion: z.number().int(),
  entries: z.array(z.object({ path: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/), size: z.number().int().min(0) })),
});

const botSchema = z.object({ name: nameSchema, description: z.string().max(2000).default('') });

function parseWith<T>(schema: z.ZodType<T>, value: unknown, name: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new ValidationError(`entry '${name}' is not a botport ${name}: ${first.path.join('.') || '(top)'} ${first.message}`);
  }
  return parsed.data;
}

/** Every archive entry is listed in the manifest and every listed entry is there. */
function checkListing(archive: OpenArchive, listed: Set<string>): void {
  for (const name of archive.entries.keys()) {
    if (name !== MANIFEST && !listed.has(name)) throw new ValidationError(`entry '${name}' is not listed in the manifest`);
  }
  for (const name of listed) {
    if (!archive.entries.has(name)) throw new ValidationError(`the manifest lists '${name}', which is not in the archive`);
  }
}

function verify(data: Buffer, entry: { path: string; sha256: string; size: number }): Buffer {
  const sha256 = createHash('sha256').update(data).digest('hex');
  if (data.length !== entry.size || sha256 !== entry.sha256) {
    throw new ValidationError(`entry '${entry.path}' does not match the SHA-256 the manifest records; the archive was altered or damaged`);
  }
  return data;
}

/** Reads botport's own archives back: every entry verified against the manifest's SHA-256. */
export const botportJsonReader: ArchiveReader = {
  name: 'BotportJson',
  marks: MANIFEST,
  async recognise(archive) {
    if (!archive.entries.has(MANIFEST)) return undefined;
    const manifest = parseJsonEntry(await archive.read(MANIFEST), MANIFEST);
    return (manifest as { format?: unknown })?.format === 'BotportJson' ? { manifest } : undefined;
  },
  async read(archive: OpenArchive, parsed: unknown): Promise<ImportedBot> {
    const manifest = parseWith(manifestSchema, parsed, MANIFEST);
    if (manifest.formatVersion > BOTPORT_JSON_VERSION) {
      throw new ValidationError(`the archive is BotportJson version ${manifest.formatVersion}; this botport reads up to version ${BOTPORT_JSON_VERSION}`);
    }
    checkListing(archive, new Set(manifest.entries.map((e) => e.path)));
    const botEntry = manifest.entries.find((e) => e.path === BOT_FILE);
    if (!botEntry) throw new ValidationError(`the archive has no ${BOT_FILE}`);
    const bot = parseWith(botSchema, parseJsonEntry(verify(await archive.read(BOT_FILE), botEntry), BOT_FILE), BOT_FILE);

    async function* components(): AsyncGenerator<Component> {
      const errors: FieldError[] = [];
      const listed = manifest.entries.filter((e) => e.path !== BOT_FILE);
      let i = 0;
      for await (const { data } of archive.readInOrder(listed.map((e) => e.path))) {
        const entry = listed[i++];
        const text = verify(data, entry).toString('utf8');
        const { component, errors: own } = checkComponent(parseJsonText(text, entry.path), []);
        // An entry is a definition-document component: an import stages its body from the entry's text.
        if (component) yield withSource(component, text);
        else errors.push(...own.map((e) => ({ path: `${entry.path} ${e.path}`, message: e.message })));
        if (errors.length >= MAX_REPORTED) break;
      }
      if (errors.length) throw new ValidationError(`the archive holds components that are not valid`, errors);
    }
    return { format: 'BotportJson', bot, components: components(), notes: [] };
  },
};

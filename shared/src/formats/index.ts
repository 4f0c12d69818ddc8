import type { OpenArchive } from '../archive/zip-reader';
import { ValidationError } from '../errors';
import { parseJsonEntry } from './json-entry';
import type { ArchiveFormat, ArchiveReader } from './format';
import { botportJson } from './botport-json/writer';
import { botportJsonReader } from './botport-json/reader';
import { lexJson } from './lex-json/writer';
import { lexJsonReader } from './lex-json/reader';

/** Every archive format by its `fileFormat` name; adding one is one file and one line. */
export const FORMATS: Record<string, ArchiveFormat> = {
  BotportJson: botportJson,
  LexJson: lexJson,
};

/** Every format botport can import, recognised by its manifest. */
export const READERS: ArchiveReader[] = [botportJsonReader, lexJsonReader];

/**
 * The reader for an archive and its parsed manifest, judged by the manifest's
 * content: Lex's documentation names its manifest `manifest.json` too.
 */
export async function readerFor(archive: OpenArchive): Promise<{ reader: ArchiveReader; manifest: unknown }> {
  const names = [...new Set(READERS.flatMap((r) => r.manifests))].filter((n) => archive.entries.has(n));
  if (!names.length) {
    const known = READERS.map((r) => `${r.manifests.join(' or ')} (${r.name})`).join(', ');
    throw new ValidationError(`the archive has no manifest, so its format is unknown: expected ${known} at the archive root`);
  }
  for (const name of names) {
    const manifest = parseJsonEntry(await archive.read(name), name);
    const reader = READERS.find((r) => r.manifests.includes(name) && r.recognises(manifest));
    if (reader) return { reader, manifest };
  }
  throw new ValidationError(`${names.join(' and ')} describe no format botport reads (${READERS.map((r) => r.name).join(', ')})`);
}

export type { ArchiveFormat, ArchiveReader, FormatInput, ImportedBot } from './format';

import { OpenArchive } from '../archive/zip-reader';
import { ValidationError } from '../errors';
import { ArchiveFormat, ArchiveReader } from './format';
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

/** The reader for an archive, judged by which manifest it holds. */
export function readerFor(archive: OpenArchive): ArchiveReader {
  const reader = READERS.find((r) => archive.entries.has(r.manifest));
  if (!reader) {
    const known = READERS.map((r) => `${r.manifest} (${r.name})`).join(' or ');
    throw new ValidationError(`the archive has no manifest, so its format is unknown: expected ${known} at the archive root`);
  }
  return reader;
}

export type { ArchiveFormat, ArchiveReader, FormatInput, ImportedBot } from './format';

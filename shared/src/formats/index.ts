import type { OpenArchive } from '../archive/zip-reader';
import { ValidationError } from '../errors';
import type { ArchiveFormat, ArchiveReader, DerivedFormat } from './format';
import { reportingFidelity } from './fidelity';
import { derivedEntries } from './derived-files';
import { botportJson } from './botport-json/writer';
import { botportJsonReader } from './botport-json/reader';
import { lexJson } from './lex-json/writer';
import { lexJsonReader } from './lex-json/reader';
import { eddiZip } from './eddi-zip/writer';
import { eddiZipReader } from './eddi-zip/reader';
import { koreJson } from './kore-json/writer';
import { koreJsonReader } from './kore-json/reader';

/** A derived format with its entries: each component's files derived as it comes, then laid out. */
function withEntries(format: DerivedFormat): ArchiveFormat {
  const complete: ArchiveFormat = { ...format, entries: (input) => derivedEntries(complete, Object.values(FORMATS))(input) };
  return complete;
}

/**
 * Every archive format by its `fileFormat` name; adding one is one file and
 * one line. What a format has no place for is left out and named in the notes.
 */
export const FORMATS: Record<string, ArchiveFormat> = reportingFidelity({
  BotportJson: withEntries(botportJson),
  LexJson: withEntries(lexJson),
  EddiZip: eddiZip,
  KoreJson: koreJson,
});

/** Every format botport can import, in the order they are tried. */
export const READERS: ArchiveReader[] = [botportJsonReader, lexJsonReader, eddiZipReader, koreJsonReader];

/**
 * The reader for an archive, judged by its content whichever door it came
 * through (a Lex StartImport may carry an EDDI backup): a manifest where the
 * format has one, else the files that mark it. Any opened archive may be asked.
 */
export async function readerFor(archive: OpenArchive): Promise<{ reader: ArchiveReader; manifest: unknown }> {
  for (const reader of READERS) {
    const recognised = await reader.recognise(archive);
    if (recognised) return { reader, manifest: recognised.manifest };
  }
  const known = READERS.map((r) => `${r.name} (${r.marks})`).join(', ');
  throw new ValidationError(`the archive's format is unknown: botport reads ${known}, each at the archive root`);
}

export type { ArchiveFormat, ArchiveReader, FormatInput, ImportedBot } from './format';

import type { OpenArchive } from '../archive/zip-reader';
import type { ZipEntry } from '../archive/zip-writer';
import type { Component } from '../bots/definition';
import type { SnapshotHeader, StoredComponent } from '../bots/snapshot';
import type { ExportOptions } from '../exports/selection';

export type Json = Record<string, unknown>;

/** A component as a format gets it: the stored one, its body already parsed when a step before the format parsed it. */
export interface FormatComponent extends StoredComponent {
  body?: Json;
}

/** What an archive format is given: the snapshot's header and its (filtered) components. */
export interface FormatInput {
  header: SnapshotHeader;
  localeId: string | null;
  options: ExportOptions;
  /** The tasks named sub-tasks resolved to (with dependents), when any were named. */
  resolvedTasks?: string[];
  components: AsyncIterable<FormatComponent>;
  /** Records something the format left out and why; it reaches the manifest and the job record. */
  note(message: string): void;
}

/** An archive format writes a snapshot as zip entries, in a fixed order. */
export interface ArchiveFormat {
  name: string;
  /** How notes name the target platform ("Lex V2"); a lossless format has none. */
  label?: string;
  /**
   * Whether the format has a place for a component. What it has none for is
   * left out before the format sees it, each one named in the notes; a
   * format without `holds` takes everything.
   */
  holds?(c: StoredComponent, body: Json): boolean;
  /** The prefix of the body keys this format keeps for itself (`eddi` for `eddi:resource`); other formats leave them out. */
  namespace?: string;
  /** How notes name a component this format read ("EDDI httpcalls 'Weather'"); undefined for one it did not. */
  describe?(c: StoredComponent, body: Json): string | undefined;
  entries(input: FormatInput): AsyncGenerator<ZipEntry>;
}

/** What a format reader finds in an archive: the bot and, streamed, its components. */
export interface ImportedBot {
  format: string;
  bot: { name: string; description: string };
  /** Each component checked on its own; cross-component rules are the importer's. */
  components: AsyncIterable<Component>;
  /** What a person should know about what was read (a secret kept in clear text…); complete once `components` is read. */
  notes: string[];
}

/** An archive format read back for import, recognised by what the archive holds. */
export interface ArchiveReader {
  name: string;
  /** What marks this format at the archive root, for the refusal of an archive no format recognises. */
  marks: string;
  /**
   * Whether the archive is this format, judged by its content. When it is:
   * what marks it (its parsed manifest, or the file that identifies it), handed back to read().
   */
  recognise(archive: OpenArchive): Promise<{ manifest: unknown } | undefined>;
  read(archive: OpenArchive, manifest: unknown): Promise<ImportedBot>;
}

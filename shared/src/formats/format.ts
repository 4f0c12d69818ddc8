import type { OpenArchive } from '../archive/zip-reader';
import type { ZipEntry } from '../archive/zip-writer';
import type { Component } from '../bots/definition';
import type { SnapshotHeader, StoredComponent } from '../bots/snapshot';
import type { ExportOptions } from '../exports/selection';

/** What an archive format is given: the snapshot's header and its (filtered) components. */
export interface FormatInput {
  header: SnapshotHeader;
  localeId: string | null;
  options: ExportOptions;
  /** The tasks named sub-tasks resolved to (with dependents), when any were named. */
  resolvedTasks?: string[];
  components: AsyncIterable<StoredComponent>;
  /** Records something the format left out and why; it reaches the manifest and the job record. */
  note(message: string): void;
}

/** An archive format writes a snapshot as zip entries, in a fixed order. */
export interface ArchiveFormat {
  name: string;
  entries(input: FormatInput): AsyncGenerator<ZipEntry>;
}

/** What a format reader finds in an archive: the bot and, streamed, its components. */
export interface ImportedBot {
  format: string;
  bot: { name: string; description: string };
  /** Each component checked on its own; cross-component rules are the importer's. */
  components: AsyncIterable<Component>;
}

/** An archive format read back for import; an archive is recognised by its manifest. */
export interface ArchiveReader {
  name: string;
  /** Where this format keeps its manifest, at the archive root. */
  manifests: string[];
  /** Whether a (parsed) manifest is this format's. */
  recognises(manifest: unknown): boolean;
  read(archive: OpenArchive, manifest: unknown): Promise<ImportedBot>;
}

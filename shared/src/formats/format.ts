import type { OpenArchive } from '../archive/zip-reader';
import type { StoredEntry } from '../archive/deflate-pool';
import type { PreparedEntry, ZipEntry } from '../archive/zip-writer';
import type { Component } from '../bots/definition';
import type { ComponentKind } from '../bots/kinds';
import type { SnapshotHeader, StoredComponent } from '../bots/snapshot';
import type { ExportOptions } from '../exports/selection';

export type Json = Record<string, unknown>;

/**
 * A component as a format gets it: the stored one, its body already parsed
 * when a step before the format parsed it; for a derived layout, its files
 * ready when the archive entry cache holds them (its body is then not read).
 */
export interface FormatComponent extends StoredComponent {
  body?: Json;
  ready?: PreparedFiles;
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
  /** For a derived layout: how bodies are changed, where derived files are kept. */
  derivation?: Derivation;
}

/** A file a format writes for one component, its path relative to where the format places that component's files. */
export interface ComponentFile {
  path: string;
  data: Buffer;
}

/**
 * What a format writes for one component, decided by that component alone
 * (its kind, locale, name, body and refs): derived once per content and
 * kept, deflated, in the archive entry cache.
 */
export interface ComponentFiles {
  files: ComponentFile[];
  /** Notes the format makes about this component (a name repaired…). */
  notes: string[];
  /** What the format must know of the component when it lays out the archive without reading its body again. */
  marks: Json;
}

/** A component's files ready for the zip (from the cache, or derived and being deflated), with its notes; none when left out. */
export interface PreparedFiles {
  files: { path: string; entry: PreparedEntry }[];
  notes: string[];
  marks: Json;
  leftOut: boolean;
}

/** A component's files once deflated: what the archive entry cache keeps. */
export interface ReadyFiles extends Omit<PreparedFiles, 'files'> {
  files: { path: string; stored: StoredEntry }[];
}

/** How a derived layout's files are made beyond the component itself, and where they are kept. */
export interface Derivation {
  /** Sample utterances are left out (the export's categories leave out `utterances`): part of what the files depend on. */
  withoutUtterances: boolean;
  /** Handed the digest of each component derived (not found ready) and its files once deflated. */
  keep?(digest: string | undefined, ready: ReadyFiles): void;
}

/** A component as a layout gets it: its files ready for the zip. */
export interface PreparedComponent {
  kind: ComponentKind;
  locale?: string;
  name: string;
  files: PreparedFiles['files'];
  marks: Json;
}

export interface LayoutInput extends Omit<FormatInput, 'components'> {
  components: AsyncIterable<PreparedComponent>;
}

/**
 * A format whose files for a component depend on that component alone: the
 * files are derived per component (and so cached), and a layout places them
 * in the archive with what belongs to the archive as a whole (the bot's own
 * file, a manifest), computed for each export.
 */
export interface DerivedLayout {
  /**
   * Moves whenever `files` would write something else for the same
   * component (a fix, a new field): what the cache holds for an older
   * revision is then derived again, never reused.
   */
  revision: number;
  /** `body` parses the component's body (once) for a layout that needs more than its JSON text. */
  files(c: FormatComponent, body: () => Json): ComponentFiles;
  arrange(input: LayoutInput): AsyncGenerator<ZipEntry>;
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
  /** Set for a format that derives its files per component (see DerivedLayout). */
  layout?: DerivedLayout;
  entries(input: FormatInput): AsyncGenerator<ZipEntry>;
}

/** A format with a derived layout as its file defines it; its `entries` are made from the layout (formats/index.ts). */
export type DerivedFormat = Omit<ArchiveFormat, 'entries' | 'layout'> & { layout: DerivedLayout };

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

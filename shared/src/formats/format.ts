import { ZipEntry } from '../archive/zip-writer';
import { SnapshotHeader, StoredComponent } from '../bots/snapshot';
import { ExportOptions } from '../exports/selection';

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

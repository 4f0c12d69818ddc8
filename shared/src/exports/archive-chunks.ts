import { createHash, type Hash } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Storage } from '../storage/s3';
import type { Snapshot, SnapshotComponent, SnapshotHeader } from '../bots/snapshot';
import { canonicalJson } from '../paging/page-token';
import { zipChunks } from '../archive/zip-writer';
import { NotFoundError } from '../errors';
import { FORMATS } from '../formats';
import type { FormatComponent } from '../formats/format';
import type { FileFormat } from './export-record';
import { cacheVariant, type EntryCache, readyFrom } from './entry-cache';
import { describeTasks, type ExportOptions, keepsUtterances, namesTasks, resolveTasks, selectComponents } from './selection';

export interface ArchiveSpec {
  fileFormat: FileFormat;
  localeId: string | null;
  options: ExportOptions;
  /** Encrypts every entry (WinZip AES-256); without one, the same snapshot and spec give the same bytes. */
  password?: string;
}

/**
 * A snapshot as archive bytes: the selection (locale, categories, tasks),
 * the format's entries, zipped, streamed chunk by chunk. What exports and
 * backup runs build alike; `around` may wrap the component stream (progress).
 * With a cache, a derived format's files come from it where it holds them
 * and what is derived is kept in it, so an archive is the same bytes either
 * way; the cache is written before the last chunk is handed on.
 */
export async function* archiveChunks(
  snapshot: Snapshot,
  spec: ArchiveSpec,
  note: (message: string) => void,
  around: (components: AsyncIterable<SnapshotComponent>) => AsyncIterable<SnapshotComponent> = (c) => c,
  cache?: EntryCache,
): AsyncGenerator<Buffer> {
  const format = FORMATS[spec.fileFormat];
  if (!format) throw new NotFoundError(`file format ${spec.fileFormat} is not available`);
  const tasks = namesTasks(spec.options.subTasks) ? resolveTasks(spec.options, await snapshot.taskGraph()) : undefined;
  const withoutUtterances = !keepsUtterances(spec.options);
  const variant = cache && cacheVariant(format, withoutUtterances);
  const selected = selectComponents(
    around(snapshot.components({ cacheVariant: variant })),
    { localeId: spec.localeId, options: spec.options, tasks },
    format.layout !== undefined,
  );
  const entries = format.entries({
    header: snapshot.header,
    localeId: spec.localeId,
    options: spec.options,
    resolvedTasks: describeTasks(tasks),
    components: variant ? withReady(selected, snapshot, variant, cache!) : selected,
    note,
    derivation: format.layout && { withoutUtterances, keep: variant ? cache!.keeper(variant) : undefined },
  });
  try {
    yield* zipChunks(entries, { password: spec.password });
  } finally {
    await cache?.flush();
  }
}

/**
 * Components with their cached files ready; a row last used long ago is
 * marked used. A damaged row is forgotten and its component read whole from
 * the snapshot, to be derived (and kept) again.
 */
async function* withReady(
  components: AsyncIterable<SnapshotComponent>,
  snapshot: Snapshot,
  variant: string,
  cache: EntryCache,
): AsyncGenerator<FormatComponent> {
  for await (const { cached, ...c } of components) {
    const ready = cached && readyFrom(cached);
    if (ready) {
      if (cached.stale && c.digest) cache.touch(variant, c.digest);
      yield { ...c, ready };
    } else if (cached) {
      if (c.digest) cache.forget(variant, c.digest);
      yield { ...c, bodyJson: await snapshot.body(c) };
    } else yield c;
  }
}

/** Moves whenever a writer would write other bytes for the same input: no archive built before is copied then. */
const ARCHIVE_REVISION = 2;

/**
 * What decides an archive's bytes — the writers' revisions, the bot, its
 * version, name and description, locale, format and options — as a key; for
 * a published version without a password only: its archive never changes,
 * so a repeat export may copy one built before. Undefined otherwise.
 */
export function archiveKey(spec: ArchiveSpec, header: SnapshotHeader): string | undefined {
  if (header.version === 'DRAFT' || spec.password !== undefined || !FORMATS[spec.fileFormat]) return undefined;
  const writer = cacheVariant(FORMATS[spec.fileFormat], !keepsUtterances(spec.options)) ?? spec.fileFormat;
  const { botId, version, name, description } = header;
  return createHash('sha256')
    .update(canonicalJson([ARCHIVE_REVISION, writer, botId, version, name, description, spec.localeId, spec.options]))
    .digest('hex');
}

export interface CountedBytes {
  sha256: string;
  sizeBytes: number;
}

/** Passes chunks through, hashing and counting them. */
async function* counted(chunks: AsyncIterable<Buffer>, into: { hash: Hash; sizeBytes: number }): AsyncGenerator<Buffer> {
  for await (const chunk of chunks) {
    into.hash.update(chunk);
    into.sizeBytes += chunk.length;
    yield chunk;
  }
}

/** The SHA-256 and size of archive bytes, written nowhere (a backup run's "would it be the same?"). */
export async function hashChunks(chunks: AsyncIterable<Buffer>): Promise<CountedBytes> {
  const into = { hash: createHash('sha256'), sizeBytes: 0 };
  for await (const _chunk of counted(chunks, into));
  return { sha256: into.hash.digest('hex'), sizeBytes: into.sizeBytes };
}

/**
 * Uploads archive bytes by multipart upload while hashing and counting them.
 * Both sides must settle: a failure building the archive destroys the body,
 * which fails the upload too, so no partial object is left.
 */
export async function uploadCounted(storage: Storage, key: string, chunks: AsyncIterable<Buffer>): Promise<CountedBytes> {
  const into = { hash: createHash('sha256'), sizeBytes: 0 };
  const body = new PassThrough({ highWaterMark: 1024 * 1024 });
  const zipped = pipeline(Readable.from(counted(chunks, into)), body);
  const [zipResult, uploadResult] = await Promise.allSettled([zipped, storage.uploadStream(key, body, 'application/zip')]);
  if (zipResult.status === 'rejected') throw zipResult.reason;
  if (uploadResult.status === 'rejected') throw uploadResult.reason;
  return { sha256: into.hash.digest('hex'), sizeBytes: into.sizeBytes };
}

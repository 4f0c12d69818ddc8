import { createHash, type Hash } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Storage } from '../storage/s3';
import type { Snapshot, StoredComponent } from '../bots/snapshot';
import { zipChunks } from '../archive/zip-writer';
import { NotFoundError } from '../errors';
import { FORMATS } from '../formats';
import type { FileFormat } from './export-record';
import { describeTasks, type ExportOptions, namesTasks, resolveTasks, selectComponents } from './selection';

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
 */
export async function* archiveChunks(
  snapshot: Snapshot,
  spec: ArchiveSpec,
  note: (message: string) => void,
  around: (components: AsyncIterable<StoredComponent>) => AsyncIterable<StoredComponent> = (c) => c,
): AsyncGenerator<Buffer> {
  const format = FORMATS[spec.fileFormat];
  if (!format) throw new NotFoundError(`file format ${spec.fileFormat} is not available`);
  const tasks = namesTasks(spec.options.subTasks) ? resolveTasks(spec.options, await snapshot.taskGraph()) : undefined;
  const entries = format.entries({
    header: snapshot.header,
    localeId: spec.localeId,
    options: spec.options,
    resolvedTasks: describeTasks(tasks),
    components: selectComponents(around(snapshot.components()), { localeId: spec.localeId, options: spec.options, tasks }),
    note,
  });
  yield* zipChunks(entries, { password: spec.password });
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

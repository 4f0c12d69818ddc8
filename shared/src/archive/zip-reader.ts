import { promisify } from 'node:util';
import zlib from 'node:zlib';
import yauzl from 'yauzl';
import { ValidationError } from '../errors';
import { mb } from './byte-limit';
import { AES_METHOD, decryptEntry, readAesExtraField } from './winzip-aes';

const inflateRaw = promisify(zlib.inflateRaw);

export interface ArchiveLimits {
  IMPORT_MAX_UNCOMPRESSED_BYTES: number;
  IMPORT_MAX_ENTRIES: number;
  IMPORT_MAX_ENTRY_BYTES: number;
  IMPORT_MAX_COMPRESSION_RATIO: number;
  /** Uncompressed bytes one import may hold at once: read ahead, being parsed, a component's files. */
  IMPORT_MEMORY_BUDGET_BYTES: number;
}

export interface ArchiveEntry {
  name: string;
  size: number;
  compressedSize: number;
}

/** An archive whose every entry passed the checks below; entries are read one at a time. */
export interface OpenArchive {
  /** File entries by name, in archive order (directories left out). */
  entries: ReadonlyMap<string, ArchiveEntry>;
  read(name: string): Promise<Buffer>;
  /** Reads entries in the given order, inflating a few ahead (bounded by bytes) while the caller works. */
  readInOrder(names: string[]): AsyncGenerator<{ name: string; data: Buffer }>;
  /** The import's memory budget: what a reader may hold at once (see IMPORT_MEMORY_BUDGET_BYTES). */
  budgetBytes: number;
  close(): void;
}

/** Uncompressed bytes read ahead at most (and never more than a quarter of the budget), entries in flight at most. */
const READ_AHEAD_BYTES = 8 * 1024 * 1024;
const READ_AHEAD_ENTRIES = 32;
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const utf8 = new TextDecoder('utf-8', { fatal: true });

const refuse = (message: string) => new ValidationError(message);

function entryName(raw: Buffer, index: number): string {
  try {
    return utf8.decode(raw);
  } catch {
    throw refuse(`entry #${index + 1} has a name that is not valid UTF-8`);
  }
}

/**
 * An entry's name with `/` between folders: EDDI 6 on Windows writes `\`
 * (`aaa…01\1\aaa…01.workflow.json`). Every check below applies to this name.
 */
function normalised(name: string): string {
  return name.replaceAll('\\', '/');
}

/** Refuses what could escape an extraction root or confuse a reader. */
function checkName(name: string): void {
  if (!name || name.includes('\u0000')) throw refuse(`entry '${name.replaceAll('\u0000', '\\0')}' has an empty name or a NUL character`);
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) throw refuse(`entry '${name}' has an absolute path`);
  if (name.split('/').some((s) => s === '..')) throw refuse(`entry '${name}' escapes the archive root`);
}

/** The compression method under any encryption; refuses encryption botport cannot (or may not) open. */
function methodOf(entry: yauzl.Entry, name: string, password: string | undefined): number {
  if (!(entry.generalPurposeBitFlag & 0x1)) return entry.compressionMethod;
  if (password === undefined) throw refuse(`entry '${name}' is encrypted; give the archive's password (filePassword) to import it`);
  const aes = entry.compressionMethod === AES_METHOD ? readAesExtraField(entry.extraFields) : undefined;
  if (!aes) throw refuse(`entry '${name}' uses the old ZipCrypto encryption, which is not safe; re-create the archive with AES-256`);
  return aes.method;
}

function checkEntry(entry: yauzl.Entry, name: string, limits: ArchiveLimits, password: string | undefined): void {
  const unixMode = (entry.externalFileAttributes >>> 16) & S_IFMT;
  if (unixMode === S_IFLNK) throw refuse(`entry '${name}' is a symbolic link, which an archive of bot files never holds`);
  const method = methodOf(entry, name, password);
  if (method !== 0 && method !== 8) {
    throw refuse(`entry '${name}' uses compression method ${method}; only stored and deflated entries can be read`);
  }
  const maxEntry = Math.min(limits.IMPORT_MAX_ENTRY_BYTES, limits.IMPORT_MEMORY_BUDGET_BYTES);
  if (entry.uncompressedSize > maxEntry) {
    throw refuse(`entry '${name}' is ${mb(entry.uncompressedSize)} uncompressed; one entry may be at most ${mb(maxEntry)}`);
  }
  // Every entry, whatever its size: a thousand small bombs hurt as much as one big one.
  const ratio = entry.uncompressedSize / Math.max(1, entry.compressedSize);
  if (ratio > limits.IMPORT_MAX_COMPRESSION_RATIO) {
    throw refuse(`entry '${name}' expands ${Math.round(ratio)}:1, more than the ${limits.IMPORT_MAX_COMPRESSION_RATIO}:1 allowed (a zip bomb?)`);
  }
}

function openZip(path: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) =>
    yauzl.open(path, { lazyEntries: true, decodeStrings: false, validateEntrySizes: true, autoClose: false }, (err, zip) =>
      err || !zip ? reject(refuse(`the upload is not a readable zip archive (${err?.message ?? 'unknown error'}); is it truncated?`)) : resolve(zip),
    ),
  );
}

/**
 * Opens a zip file on disk and checks its central directory before any entry
 * is read: entry count, total and per-entry sizes, compression ratio, names
 * (UTF-8, relative, no `..`, no duplicates, each after `\` is read as `/`),
 * symlinks and encryption. Sizes the directory declares are enforced while
 * reading (yauzl validates them), so a lying header cannot expand past the
 * limits either.
 */
export async function openArchive(path: string, limits: ArchiveLimits, password?: string): Promise<OpenArchive> {
  const zip = await openZip(path);
  try {
    if (zip.entryCount > limits.IMPORT_MAX_ENTRIES) {
      throw refuse(`the archive has ${zip.entryCount} entries; at most ${limits.IMPORT_MAX_ENTRIES} are allowed`);
    }
    const raw = new Map<string, yauzl.Entry>();
    const entries = new Map<string, ArchiveEntry>();
    let total = 0;
    await new Promise<void>((resolve, reject) => {
      let index = 0;
      zip.on('entry', (entry: yauzl.Entry) => {
        try {
          const name = normalised(entryName(entry.fileName as unknown as Buffer, index++));
          checkName(name);
          if (raw.has(name)) throw refuse(`entry '${name}' appears twice in the archive`);
          checkEntry(entry, name, limits, password);
          raw.set(name, entry);
          if (!name.endsWith('/')) entries.set(name, { name, size: entry.uncompressedSize, compressedSize: entry.compressedSize });
          total += entry.uncompressedSize;
          if (total > limits.IMPORT_MAX_UNCOMPRESSED_BYTES) {
            throw refuse(`the archive expands to more than ${mb(limits.IMPORT_MAX_UNCOMPRESSED_BYTES)}, the most allowed`);
          }
          zip.readEntry();
        } catch (err) {
          reject(err);
        }
      });
      zip.on('end', resolve);
      zip.on('error', (err: Error) => reject(refuse(`the archive is damaged: ${err.message}`)));
      zip.readEntry();
    });
    const read = (name: string) => readEntry(zip, raw.get(name), name, password);
    const window = Math.min(READ_AHEAD_BYTES, Math.floor(limits.IMPORT_MEMORY_BUDGET_BYTES / 4));
    return {
      entries,
      read,
      readInOrder: (names) => readAhead(names, read, (name) => entries.get(name)?.size ?? 0, window),
      budgetBytes: limits.IMPORT_MEMORY_BUDGET_BYTES,
      close: () => zip.close(),
    };
  } catch (err) {
    zip.close();
    throw err;
  }
}

function readStream(zip: yauzl.ZipFile, entry: yauzl.Entry, name: string, options: yauzl.ZipFileOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, options, (err, stream) => {
      if (err || !stream) return reject(refuse(`entry '${name}' cannot be read: ${err?.message}`));
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => resolve(Buffer.concat(chunks)));
      stream.on('error', (e: Error) => reject(refuse(`entry '${name}' is damaged: ${e.message}`)));
    });
  });
}

/** The CRC-32 the directory records must be the data's: anything else is damage or tampering. */
function checkCrc(data: Buffer, entry: yauzl.Entry, name: string): Buffer {
  if (zlib.crc32(data) !== entry.crc32) throw refuse(`entry '${name}' is damaged: its CRC-32 does not match its data`);
  return data;
}

/**
 * An entry's bytes: yauzl reads the stored bytes; the AES layer and the
 * inflating are ours, in one call on libuv's pool (no stream per entry),
 * bounded by the declared size, which the bytes must then have.
 */
async function readEntry(zip: yauzl.ZipFile, entry: yauzl.Entry | undefined, name: string, password: string | undefined): Promise<Buffer> {
  if (!entry) throw refuse(`the archive has no entry '${name}'`);
  const stored = await readStream(zip, entry, name, { decodeFileData: false } as yauzl.ZipFileOptions);
  const aes = entry.generalPurposeBitFlag & 0x1 ? readAesExtraField(entry.extraFields) : undefined;
  const plain = aes ? await decryptEntry(password as string, stored, name) : stored;
  const data =
    (aes ? aes.method : entry.compressionMethod) === 8
      ? await inflateRaw(plain, { maxOutputLength: Math.max(1, entry.uncompressedSize) }).catch((e: Error & { code?: string }) => {
          if (e.code === 'ERR_BUFFER_TOO_LARGE') throw refuse(`entry '${name}' is damaged: too many bytes, more than the ${entry.uncompressedSize} its header says`);
          throw refuse(`entry '${name}' is damaged: ${e.message}`);
        })
      : plain;
  if (data.length !== entry.uncompressedSize)
    throw refuse(`entry '${name}' is damaged: it holds ${data.length} bytes, not the ${entry.uncompressedSize} its header says`);
  // AE-2 writes no CRC (its authentication code stands in); AE-1 and plain entries keep one.
  return aes && aes.vendorVersion !== 1 ? data : checkCrc(data, entry, name);
}

async function* readAhead(
  names: string[],
  read: (name: string) => Promise<Buffer>,
  sizeOf: (name: string) => number,
  windowBytes: number,
): AsyncGenerator<{ name: string; data: Buffer }> {
  const inFlight: { name: string; size: number; data: Promise<Buffer> }[] = [];
  let bytes = 0;
  let next = 0;
  try {
    while (next < names.length || inFlight.length) {
      // Always keep one going; add more while the window has room.
      while (next < names.length && (!inFlight.length || (inFlight.length < READ_AHEAD_ENTRIES && bytes + sizeOf(names[next]) <= windowBytes))) {
        const name = names[next++];
        const data = read(name);
        data.catch(() => undefined); // awaited below, in order
        inFlight.push({ name, size: sizeOf(name), data });
        bytes += sizeOf(name);
      }
      const head = inFlight.shift()!;
      bytes -= head.size;
      yield { name: head.name, data: await head.data };
    }
  } finally {
    await Promise.allSettled(inFlight.map((e) => e.data));
  }
}

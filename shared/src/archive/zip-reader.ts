import fs from 'node:fs';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import yauzl from 'yauzl';
import { ValidationError } from '../errors';
import { mb } from './byte-limit';
import { AES_METHOD, decryptEntry, readAesExtraField } from './winzip-aes';

const inflateRaw = promisify(zlib.inflateRaw);
const openFile = promisify(fs.open);
const readFile = promisify(fs.read);

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

/** Bytes read at once for yauzl's reads of the central directory. */
const DIRECTORY_BLOCK_BYTES = 256 * 1024;

/**
 * The archive file as yauzl reads it: its reads of the central directory
 * (three small ones per entry, one at a time) are served from blocks read
 * ahead, not from one file read each.
 */
class BlockReader extends yauzl.RandomAccessReader {
  private block: { start: number; data: Buffer } = { start: 0, data: Buffer.alloc(0) };

  constructor(private readonly fd: number) {
    super();
  }

  override read(buffer: Buffer, offset: number, length: number, position: number, callback: (err: Error | null, bytesRead?: number) => void): void {
    const copy = () => {
      const from = position - this.block.start;
      const copied = this.block.data.copy(buffer, offset, from, Math.min(from + length, this.block.data.length));
      process.nextTick(callback, null, copied); // never synchronously: yauzl's entry loop would recurse
    };
    if (position >= this.block.start && position + length <= this.block.start + this.block.data.length) return copy();
    readAt(this.fd, Math.max(length, DIRECTORY_BLOCK_BYTES), position).then((data) => {
      this.block = { start: position, data };
      copy();
    }, callback);
  }

  override _readStreamForRange(start: number, end: number) {
    return fs.createReadStream('', { fd: this.fd, start, end: end - 1, autoClose: false });
  }

  override close(callback: (err: Error | null) => void): void {
    fs.close(this.fd, callback);
  }
}

async function openZip(path: string): Promise<{ zip: yauzl.ZipFile; file: { fd: number; size: number } }> {
  const fd = await openFile(path, 'r');
  const file = { fd, size: fs.fstatSync(fd).size };
  return new Promise((resolve, reject) =>
    yauzl.fromRandomAccessReader(
      new BlockReader(fd),
      file.size,
      { lazyEntries: true, decodeStrings: false, validateEntrySizes: true, autoClose: false },
      (err, zip) => {
        if (err || !zip) {
          fs.closeSync(fd);
          return reject(refuse(`the upload is not a readable zip archive (${err?.message ?? 'unknown error'}); is it truncated?`));
        }
        resolve({ zip, file });
      },
    ),
  );
}

/**
 * Opens a zip file on disk and checks its central directory before any entry
 * is read: entry count, total and per-entry sizes, compression ratio, names
 * (UTF-8, relative, no `..`, no duplicates, each after `\` is read as `/`),
 * symlinks and encryption. Sizes the directory declares are enforced while
 * reading (an entry never inflates past its declared size, nor is read past
 * what its size can take), so a lying header cannot expand past the limits
 * either.
 */
export async function openArchive(path: string, limits: ArchiveLimits, password?: string): Promise<OpenArchive> {
  const { zip, file } = await openZip(path);
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
    const read = (name: string) => readEntry(file, raw.get(name), name, password);
    const window = Math.min(READ_AHEAD_BYTES, Math.floor(limits.IMPORT_MEMORY_BUDGET_BYTES / 4));
    return {
      entries,
      read,
      readInOrder: (names) => readAhead(names, read, (name) => entries.get(name)?.size ?? 0, window),
      budgetBytes: limits.IMPORT_MEMORY_BUDGET_BYTES,
      close: () => zip.close(), // closes the file
    };
  } catch (err) {
    zip.close();
    throw err;
  }
}

const LOCAL_HEADER = 0x04034b50;
const LOCAL_HEADER_BYTES = 30;

/** Reads exactly `length` bytes at `position`, or fewer only at the end of the file. */
async function readAt(fd: number, length: number, position: number): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await readFile(fd, buffer, filled, length - filled, position + filled);
    if (!bytesRead) break;
    filled += bytesRead;
  }
  return buffer.subarray(0, filled);
}

/**
 * An entry's stored bytes, read straight from the file: its local header,
 * then what follows it (yauzl's stream per entry, one read at a time across
 * the archive, costs more than the reading).
 */
async function storedBytes(file: { fd: number; size: number }, entry: yauzl.Entry, name: string): Promise<Buffer> {
  const header = await readAt(file.fd, LOCAL_HEADER_BYTES, entry.relativeOffsetOfLocalHeader);
  if (header.length < LOCAL_HEADER_BYTES || header.readUInt32LE(0) !== LOCAL_HEADER) throw refuse(`entry '${name}' is damaged: its local header is missing`);
  // Deflate's stored blocks and AES add a few bytes: stored bytes past that are a lie, and are not read into memory.
  if (entry.compressedSize > entry.uncompressedSize + Math.ceil(entry.uncompressedSize / 16384) * 5 + 64) {
    throw refuse(`entry '${name}' is damaged: it stores ${entry.compressedSize} bytes for ${entry.uncompressedSize}`);
  }
  const start = entry.relativeOffsetOfLocalHeader + LOCAL_HEADER_BYTES + header.readUInt16LE(26) + header.readUInt16LE(28);
  if (start + entry.compressedSize > file.size) throw refuse(`entry '${name}' is damaged: its data runs past the end of the archive`);
  const stored = await readAt(file.fd, entry.compressedSize, start);
  if (stored.length !== entry.compressedSize) throw refuse(`entry '${name}' is damaged: the archive ends inside it`);
  return stored;
}

/** The CRC-32 the directory records must be the data's: anything else is damage or tampering. */
function checkCrc(data: Buffer, entry: yauzl.Entry, name: string): Buffer {
  if (zlib.crc32(data) !== entry.crc32) throw refuse(`entry '${name}' is damaged: its CRC-32 does not match its data`);
  return data;
}

/** Inflating below this here is cheaper than a trip to libuv's pool; above it, the event loop is not held up. */
const INFLATE_INLINE_BELOW = 1024 * 1024;

/** Deflated bytes inflated, never past the size the header declares. */
async function inflated(deflated: Buffer, size: number, name: string): Promise<Buffer> {
  const options = { maxOutputLength: Math.max(1, size) };
  try {
    return size < INFLATE_INLINE_BELOW ? zlib.inflateRawSync(deflated, options) : await inflateRaw(deflated, options);
  } catch (err) {
    const e = err as Error & { code?: string };
    if (e.code === 'ERR_BUFFER_TOO_LARGE') throw refuse(`entry '${name}' is damaged: too many bytes, more than the ${size} its header says`);
    throw refuse(`entry '${name}' is damaged: ${e.message}`);
  }
}

/**
 * An entry's bytes: its stored bytes decrypted (when AES) and inflated in
 * one call (no stream per entry),
 * bounded by the declared size, which the bytes must then have.
 */
async function readEntry(file: { fd: number; size: number }, entry: yauzl.Entry | undefined, name: string, password: string | undefined): Promise<Buffer> {
  if (!entry) throw refuse(`the archive has no entry '${name}'`);
  const stored = await storedBytes(file, entry, name);
  const aes = entry.generalPurposeBitFlag & 0x1 ? readAesExtraField(entry.extraFields) : undefined;
  const plain = aes ? await decryptEntry(password as string, stored, name) : stored;
  const data = (aes ? aes.method : entry.compressionMethod) === 8 ? await inflated(plain, entry.uncompressedSize, name) : plain;
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

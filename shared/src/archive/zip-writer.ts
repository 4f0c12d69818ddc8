import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { PayloadTooLargeError } from '../errors';
import { deflatePool, LEVEL, METHOD_DEFLATE, type StoredEntry } from './deflate-pool';
import { AES_METHOD, AES_VERSION_NEEDED, aesExtraField, encryptEntry, encryptStream } from './winzip-aes';

const deflateRaw = promisify(zlib.deflateRaw);

/** A file deflated already (an archive entry cache's, or one being deflated elsewhere): written as it is, without zlib. */
export interface PreparedEntry {
  /** Uncompressed bytes, counted against what may be held at once while `stored` is pending. */
  size: number;
  stored: StoredEntry | Promise<StoredEntry>;
}

/**
 * One file of the archive: its bytes; its bytes deflated already; or — for
 * one too large to hold, such as Kore's botDefinition.json of a large bot —
 * its bytes as they are produced, deflated as they stream, with CRC and sizes
 * in a data descriptor after them.
 */
export type ZipEntry =
  | {
      /** Path inside the archive, `/`-separated, UTF-8. */
      name: string;
      data: Buffer;
    }
  | { name: string; prepared: PreparedEntry }
  | { name: string; stream: () => AsyncIterable<Buffer> };

export interface ZipOptions {
  /** Uncompressed bytes being deflated at once: bounds memory, keeps every core busy. */
  maxInFlightBytes?: number;
  maxInFlightEntries?: number;
  /** Encrypts every entry with WinZip AES-256 (AE-2) under this password. */
  password?: string;
}

const UINT32_MAX = 0xffffffff;
const UINT16_MAX = 0xffff;
const FLAG_UTF8 = 0x0800;
const FLAG_ENCRYPTED = 0x0001;
const FLAG_DATA_DESCRIPTOR = 0x0008;
const VERSION_DEFAULT = 20;
const VERSION_ZIP64 = 45;
const MADE_BY_UNIX = 3 << 8;
const FILE_MODE = 0o100644;
/** Every entry is dated 1980-01-01 00:00 (DOS time 0): the same input gives the same bytes. */
const DOS_TIME = 0;
const DOS_DATE = (0 << 9) | (1 << 5) | 1;

/** What an entry's headers say of it. */
interface Pending {
  name: Buffer;
  size: number;
  crc: number;
}

interface Queued {
  name: Buffer;
  /** Uncompressed bytes held while it is prepared. */
  held: number;
  /** Deflated (or stored, when deflating does not make it smaller), then encrypted when asked. */
  prepared: Promise<{ stored: StoredEntry; payload: Buffer }>;
}

/** How an entry is written: its headers' method, flags, version, CRC and extra field. */
interface Encoding {
  method: number;
  flags: number;
  version: number;
  crc: number;
  extra: Buffer;
}

function encodingOf(e: Pending, method: number, encrypted: boolean): Encoding {
  // AE-2 writes no CRC (the authentication code protects the data) and names the real method in its extra field.
  if (encrypted) return { method: AES_METHOD, flags: FLAG_UTF8 | FLAG_ENCRYPTED, version: AES_VERSION_NEEDED, crc: 0, extra: aesExtraField(method) };
  return { method, flags: FLAG_UTF8, version: VERSION_DEFAULT, crc: e.crc, extra: Buffer.alloc(0) };
}

/**
 * A streaming zip writer. Entries are deflated concurrently on the deflate
 * pool's threads, so every core works, while output stays in input order; at
 * most `maxInFlightBytes` of input is held at once. Entries whose deflated
 * form is not smaller are stored; entries deflated already are written as
 * they are. ZIP64 records are written only when the archive needs them (more
 * than 65,535 entries or offsets past 4 GiB). With a password, each entry is
 * encrypted (WinZip AES-256, its key derived on libuv's thread pool). A
 * streamed entry is written when every entry before it is, deflated (and
 * encrypted) as its bytes arrive, so it is never held whole. Small buffers
 * (headers, small entries) are handed on gathered into pieces of about 256 KB.
 */
export async function* zipChunks(entries: AsyncIterable<ZipEntry>, options: ZipOptions = {}): AsyncGenerator<Buffer> {
  const maxBytes = options.maxInFlightBytes ?? 8 * 1024 * 1024;
  const maxEntries = options.maxInFlightEntries ?? 256; // enough 15 KB intents to fill two batches per deflate thread
  const source = entries[Symbol.asyncIterator]();
  const pending: Queued[] = [];
  const central: Buffer[] = [];
  let inFlight = 0;
  let exhausted = false;
  let streamed: Extract<ZipEntry, { stream: unknown }> | undefined;
  let offset = 0;
  let count = 0;
  const output = new Output();

  try {
    for (;;) {
      while (!exhausted && !streamed && (pending.length === 0 || (inFlight < maxBytes && pending.length < maxEntries))) {
        const next = await source.next();
        if (next.done) {
          exhausted = true;
          break;
        }
        if ('stream' in next.value) {
          streamed = next.value; // written once every entry before it is
          break;
        }
        const queued = queue(next.value, options.password);
        queued.prepared.catch(() => undefined); // awaited below, in order
        pending.push(queued);
        inFlight += queued.held;
      }
      const next = pending.shift();
      if (next) {
        const { stored, payload } = await next.prepared;
        inFlight -= next.held;
        const entry: Pending = { name: next.name, size: stored.size, crc: stored.crc32 };
        const encoding = encodingOf(entry, stored.method, options.password !== undefined);
        const header = localHeader(entry, encoding, payload.length);
        central.push(centralHeader(entry, encoding, payload.length, offset));
        yield* output.add(header, payload);
        offset += header.length + payload.length;
        count++;
      } else if (streamed) {
        yield* output.take();
        const written = yield* streamedEntry(streamed, options.password);
        central.push(centralHeader(written.entry, written.encoding, written.compressedSize, offset));
        offset += written.bytes;
        count++;
        streamed = undefined;
      } else break;
    }
    let centralSize = 0;
    for (const record of central) {
      centralSize += record.length;
      yield* output.add(record);
    }
    yield* output.add(...end(count, centralSize, offset));
    yield* output.take();
  } finally {
    await Promise.allSettled(pending.map((p) => p.prepared));
    // Stopped early (a failed upload): let the source clean up (a format's spool file).
    if (!exhausted) await source.return?.(undefined);
  }
}

/** The writer's small buffers are handed on gathered into pieces of about this size. */
const OUTPUT_BYTES = 256 * 1024;

/**
 * Gathers what the writer writes into pieces of about OUTPUT_BYTES: a
 * cached 15 KB intent is a 60-byte header and a 3 KB payload, and each
 * buffer handed on costs what consumes it (hash, stream, multipart upload)
 * more than its bytes do. A buffer that large on its own is handed on as it
 * is, never copied.
 */
class Output {
  private held: Buffer[] = [];
  private bytes = 0;

  /** Takes `chunks`; yields what is ready to hand on. */
  *add(...chunks: Buffer[]): Generator<Buffer> {
    for (const chunk of chunks) {
      if (chunk.length >= OUTPUT_BYTES) {
        yield* this.take();
        yield chunk;
        continue;
      }
      this.held.push(chunk);
      this.bytes += chunk.length;
      if (this.bytes >= OUTPUT_BYTES) yield* this.take();
    }
  }

  /** Yields all that is held, as one buffer (nothing when nothing is). */
  *take(): Generator<Buffer> {
    if (!this.bytes) return;
    const all = this.held.length === 1 ? this.held[0] : Buffer.concat(this.held, this.bytes);
    this.held = [];
    this.bytes = 0;
    yield all;
  }
}

/** Starts preparing an in-memory or deflated entry: deflated on the pool unless it is already, encrypted when asked. */
function queue(e: Exclude<ZipEntry, { stream: unknown }>, password: string | undefined): Queued {
  const name = Buffer.from(e.name, 'utf8');
  const size = 'data' in e ? e.data.length : e.prepared.size;
  if (size >= UINT32_MAX) throw new PayloadTooLargeError(`${e.name} is 4 GiB or more, more than one zip entry holds`);
  const stored = 'data' in e ? deflatePool().deflate(e.data) : Promise.resolve(e.prepared.stored);
  const payload =
    password === undefined
      ? stored.then((s) => s.payload)
      : encryptEntry(
          password,
          stored.then((s) => s.payload),
        );
  const prepared = Promise.all([stored, payload]).then(([s, p]) => ({ stored: s, payload: p }));
  return { name, held: size, prepared };
}

const BLOCK_BYTES = 1024 * 1024;
const WINDOW_BYTES = 32 * 1024;
const BLOCKS_IN_FLIGHT = 8;

/**
 * One deflate stream made of 1 MB blocks deflated at once on the thread pool,
 * as pigz does: each block primed with the 32 KB before it (so matches reach
 * back as in one stream) and ended on a byte boundary by a sync flush, the
 * last one finished. A single large entry then uses every core, and the same
 * input gives the same bytes.
 */
async function* deflateInBlocks(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const inFlight: Promise<Buffer>[] = [];
  let previous: Buffer | undefined;
  const start = (block: Buffer, last: boolean) => {
    const dictionary = previous?.subarray(Math.max(0, previous.length - WINDOW_BYTES));
    previous = block;
    const deflated = deflateRaw(block, {
      level: LEVEL,
      finishFlush: last ? zlib.constants.Z_FINISH : zlib.constants.Z_SYNC_FLUSH,
      ...(dictionary && { dictionary }),
    });
    deflated.catch(() => undefined); // awaited in order below
    inFlight.push(deflated);
  };
  let held: Buffer[] = [];
  let heldBytes = 0;
  try {
    for await (const chunk of source) {
      held.push(chunk);
      heldBytes += chunk.length;
      if (heldBytes < BLOCK_BYTES) continue;
      const all = Buffer.concat(held);
      let at = 0;
      for (; all.length - at >= BLOCK_BYTES; at += BLOCK_BYTES) start(all.subarray(at, at + BLOCK_BYTES), false);
      held = [all.subarray(at)];
      heldBytes = all.length - at;
      while (inFlight.length >= BLOCKS_IN_FLIGHT) yield await inFlight.shift()!;
    }
    start(Buffer.concat(held), true);
    while (inFlight.length) yield await inFlight.shift()!;
  } finally {
    await Promise.allSettled(inFlight);
  }
}

/** Deflates (then encrypts) a stream as it comes, counting CRC and sizes for the data descriptor. */
async function* streamedEntry(
  e: { name: string; stream: () => AsyncIterable<Buffer> },
  password: string | undefined,
): AsyncGenerator<Buffer, { entry: Pending; encoding: Encoding; compressedSize: number; bytes: number }> {
  const entry: Pending = { name: Buffer.from(e.name, 'utf8'), size: 0, crc: 0 };
  const plain = encodingOf(entry, METHOD_DEFLATE, password !== undefined);
  const header = localHeader(entry, { ...plain, flags: plain.flags | FLAG_DATA_DESCRIPTOR, crc: 0 }, 0);
  yield header;
  let compressedSize = 0;
  const counted = async function* () {
    for await (const chunk of e.stream()) {
      entry.crc = zlib.crc32(chunk, entry.crc);
      entry.size += chunk.length;
      if (entry.size >= UINT32_MAX) throw new Error(`zip entry ${e.name} is too large`);
      yield chunk;
    }
  };
  const deflated = deflateInBlocks(counted());
  for await (const chunk of password === undefined ? deflated : encryptStream(password, deflated)) {
    compressedSize += chunk.length;
    if (compressedSize >= UINT32_MAX) throw new Error(`zip entry ${e.name} is too large`);
    yield chunk;
  }
  const encoding = { ...encodingOf(entry, METHOD_DEFLATE, password !== undefined), flags: plain.flags | FLAG_DATA_DESCRIPTOR };
  const descriptor = Buffer.alloc(16);
  descriptor.writeUInt32LE(0x08074b50, 0);
  descriptor.writeUInt32LE(encoding.crc, 4);
  descriptor.writeUInt32LE(compressedSize, 8);
  descriptor.writeUInt32LE(entry.size, 12);
  yield descriptor;
  return { entry, encoding, compressedSize, bytes: header.length + compressedSize + descriptor.length };
}

/**
 * Written field by field, every byte, so it may come from Node's buffer pool
 * (no ArrayBuffer of its own): it lives only until the output is gathered.
 * A central header lives to the end of the archive and has a buffer of its
 * own, or it would keep the pool's 8 KB slab, and what else came from it,
 * alive that long.
 */
function localHeader(e: Pending, enc: Encoding, compressedSize: number): Buffer {
  const h = Buffer.allocUnsafe(30 + e.name.length + enc.extra.length);
  h.writeUInt32LE(0x04034b50, 0);
  h.writeUInt16LE(enc.version, 4);
  h.writeUInt16LE(enc.flags, 6);
  h.writeUInt16LE(enc.method, 8);
  h.writeUInt16LE(DOS_TIME, 10);
  h.writeUInt16LE(DOS_DATE, 12);
  h.writeUInt32LE(enc.crc, 14);
  h.writeUInt32LE(compressedSize, 18);
  h.writeUInt32LE(e.size, 22);
  h.writeUInt16LE(e.name.length, 26);
  h.writeUInt16LE(enc.extra.length, 28);
  e.name.copy(h, 30);
  enc.extra.copy(h, 30 + e.name.length);
  return h;
}

function centralHeader(e: Pending, enc: Encoding, compressedSize: number, offset: number): Buffer {
  const zip64 = offset >= UINT32_MAX;
  const zip64Extra = zip64 ? Buffer.alloc(12) : Buffer.alloc(0);
  if (zip64) {
    zip64Extra.writeUInt16LE(0x0001, 0);
    zip64Extra.writeUInt16LE(8, 2);
    zip64Extra.writeBigUInt64LE(BigInt(offset), 4);
  }
  const extra = Buffer.concat([zip64Extra, enc.extra]);
  const h = Buffer.alloc(46 + e.name.length + extra.length);
  const version = zip64 ? Math.max(VERSION_ZIP64, enc.version) : enc.version;
  h.writeUInt32LE(0x02014b50, 0);
  h.writeUInt16LE(MADE_BY_UNIX | version, 4);
  h.writeUInt16LE(version, 6);
  h.writeUInt16LE(enc.flags, 8);
  h.writeUInt16LE(enc.method, 10);
  h.writeUInt16LE(DOS_TIME, 12);
  h.writeUInt16LE(DOS_DATE, 14);
  h.writeUInt32LE(enc.crc, 16);
  h.writeUInt32LE(compressedSize, 20);
  h.writeUInt32LE(e.size, 24);
  h.writeUInt16LE(e.name.length, 28);
  h.writeUInt16LE(extra.length, 30);
  h.writeUInt16LE(0, 32); // comment
  h.writeUInt16LE(0, 34); // disk
  h.writeUInt16LE(0, 36); // internal attributes
  h.writeUInt32LE((FILE_MODE << 16) >>> 0, 38);
  h.writeUInt32LE(zip64 ? UINT32_MAX : offset, 42);
  e.name.copy(h, 46);
  extra.copy(h, 46 + e.name.length);
  return h;
}

function* end(count: number, centralSize: number, centralOffset: number): Generator<Buffer> {
  const zip64 = count > UINT16_MAX || centralOffset >= UINT32_MAX || centralSize >= UINT32_MAX;
  if (zip64) {
    const record = Buffer.alloc(56);
    record.writeUInt32LE(0x06064b50, 0);
    record.writeBigUInt64LE(44n, 4);
    record.writeUInt16LE(MADE_BY_UNIX | VERSION_ZIP64, 12);
    record.writeUInt16LE(VERSION_ZIP64, 14);
    record.writeUInt32LE(0, 16);
    record.writeUInt32LE(0, 20);
    record.writeBigUInt64LE(BigInt(count), 24);
    record.writeBigUInt64LE(BigInt(count), 32);
    record.writeBigUInt64LE(BigInt(centralSize), 40);
    record.writeBigUInt64LE(BigInt(centralOffset), 48);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(0x07064b50, 0);
    locator.writeUInt32LE(0, 4);
    locator.writeBigUInt64LE(BigInt(centralOffset + centralSize), 8);
    locator.writeUInt32LE(1, 16);
    yield record;
    yield locator;
  }
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(0, 4);
  eocd.writeUInt16LE(0, 6);
  eocd.writeUInt16LE(Math.min(count, UINT16_MAX), 8);
  eocd.writeUInt16LE(Math.min(count, UINT16_MAX), 10);
  eocd.writeUInt32LE(Math.min(centralSize, UINT32_MAX), 12);
  eocd.writeUInt32LE(Math.min(centralOffset, UINT32_MAX), 16);
  eocd.writeUInt16LE(0, 20);
  yield eocd;
}

import { promisify } from 'node:util';
import zlib from 'node:zlib';

const deflateRaw = promisify(zlib.deflateRaw);

export interface ZipEntry {
  /** Path inside the archive, `/`-separated, UTF-8. */
  name: string;
  data: Buffer;
}

export interface ZipOptions {
  level?: number;
  /** Uncompressed bytes being deflated at once: bounds memory, keeps the thread pool busy. */
  maxInFlightBytes?: number;
  maxInFlightEntries?: number;
}

const UINT32_MAX = 0xffffffff;
const UINT16_MAX = 0xffff;
const FLAG_UTF8 = 0x0800;
const METHOD_STORE = 0;
const METHOD_DEFLATE = 8;
const VERSION_DEFAULT = 20;
const VERSION_ZIP64 = 45;
const MADE_BY_UNIX = 3 << 8;
const FILE_MODE = 0o100644;
/** Every entry is dated 1980-01-01 00:00 (DOS time 0): the same input gives the same bytes. */
const DOS_TIME = 0;
const DOS_DATE = (0 << 9) | (1 << 5) | 1;

interface Pending {
  name: Buffer;
  /** Kept until written, in case deflating does not make it smaller. */
  raw: Buffer;
  size: number;
  crc: number;
  compressed: Promise<Buffer>;
}

/**
 * A streaming zip writer. Entries are deflated concurrently on libuv's thread
 * pool (zlib's async API), so every core works, while output stays in input
 * order; at most `maxInFlightBytes` of input is held at once. Entries whose
 * deflated form is not smaller are stored. ZIP64 records are written only
 * when the archive needs them (more than 65,535 entries or offsets past 4 GiB).
 */
export async function* zipChunks(entries: AsyncIterable<ZipEntry>, options: ZipOptions = {}): AsyncGenerator<Buffer> {
  const level = options.level ?? 6;
  const maxBytes = options.maxInFlightBytes ?? 8 * 1024 * 1024;
  const maxEntries = options.maxInFlightEntries ?? 64;
  const source = entries[Symbol.asyncIterator]();
  const pending: Pending[] = [];
  const central: Buffer[] = [];
  let inFlight = 0;
  let exhausted = false;
  let offset = 0;
  let count = 0;

  for (;;) {
    while (!exhausted && (pending.length === 0 || (inFlight < maxBytes && pending.length < maxEntries))) {
      const next = await source.next();
      if (next.done) {
        exhausted = true;
        break;
      }
      const { name, data } = next.value;
      if (data.length >= UINT32_MAX) throw new Error(`zip entry ${name} is too large`);
      pending.push({ name: Buffer.from(name, 'utf8'), raw: data, size: data.length, crc: zlib.crc32(data), compressed: compress(data, level) });
      inFlight += data.length;
    }
    const entry = pending.shift();
    if (!entry) break;
    const deflated = await entry.compressed;
    inFlight -= entry.size;
    const method = deflated.length < entry.size ? METHOD_DEFLATE : METHOD_STORE;
    const payload = method === METHOD_DEFLATE ? deflated : entry.raw;
    const header = localHeader(entry, method, payload.length);
    central.push(centralHeader(entry, method, payload.length, offset));
    yield header;
    yield payload;
    offset += header.length + payload.length;
    count++;
  }
  let centralSize = 0;
  for (const record of central) {
    centralSize += record.length;
    yield record;
  }
  yield* end(count, centralSize, offset);
}

async function compress(data: Buffer, level: number): Promise<Buffer> {
  return data.length === 0 ? Buffer.alloc(0) : deflateRaw(data, { level });
}

function localHeader(e: Pending, method: number, compressedSize: number): Buffer {
  const h = Buffer.alloc(30 + e.name.length);
  h.writeUInt32LE(0x04034b50, 0);
  h.writeUInt16LE(VERSION_DEFAULT, 4);
  h.writeUInt16LE(FLAG_UTF8, 6);
  h.writeUInt16LE(method, 8);
  h.writeUInt16LE(DOS_TIME, 10);
  h.writeUInt16LE(DOS_DATE, 12);
  h.writeUInt32LE(e.crc, 14);
  h.writeUInt32LE(compressedSize, 18);
  h.writeUInt32LE(e.size, 22);
  h.writeUInt16LE(e.name.length, 26);
  h.writeUInt16LE(0, 28);
  e.name.copy(h, 30);
  return h;
}

function centralHeader(e: Pending, method: number, compressedSize: number, offset: number): Buffer {
  const zip64 = offset >= UINT32_MAX;
  const extra = zip64 ? Buffer.alloc(12) : Buffer.alloc(0);
  if (zip64) {
    extra.writeUInt16LE(0x0001, 0);
    extra.writeUInt16LE(8, 2);
    extra.writeBigUInt64LE(BigInt(offset), 4);
  }
  const h = Buffer.alloc(46 + e.name.length + extra.length);
  const version = zip64 ? VERSION_ZIP64 : VERSION_DEFAULT;
  h.writeUInt32LE(0x02014b50, 0);
  h.writeUInt16LE(MADE_BY_UNIX | version, 4);
  h.writeUInt16LE(version, 6);
  h.writeUInt16LE(FLAG_UTF8, 8);
  h.writeUInt16LE(method, 10);
  h.writeUInt16LE(DOS_TIME, 12);
  h.writeUInt16LE(DOS_DATE, 14);
  h.writeUInt32LE(e.crc, 16);
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

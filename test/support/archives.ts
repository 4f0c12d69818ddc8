import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import type { DefinitionDocument } from '@botport/shared';

/** One entry of a hand-made zip; every header field a hostile archive could lie in is settable. */
export interface RawEntry {
  name: string | Buffer;
  data: Buffer;
  deflate?: boolean;
  /** General purpose flags; 0x800 (UTF-8 names) is always set. */
  flags?: number;
  /** Unix mode in the high 16 bits of the external attributes (e.g. 0o120777 for a symlink). */
  unixMode?: number;
  /** The uncompressed size the headers claim, when it should differ from the truth. */
  declaredSize?: number;
  /** The CRC-32 the headers claim, when it should differ from the data's. */
  crc?: number;
}

const u16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
};
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
};
const u64 = (n: number) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
};

/**
 * Writes a zip byte by byte, so tests can make archives no well-behaved zip
 * library would: lying sizes, symlinks, traversal, invalid names. Writes
 * ZIP64 end records when there are more than 65,535 entries.
 */
export function rawZip(entries: RawEntry[]): Buffer {
  // The same data (a bomb's thousand copies) is deflated once.
  const deflated = new Map<Buffer, Buffer>();
  const deflate = (data: Buffer) => deflated.get(data) ?? deflated.set(data, zlib.deflateRawSync(data)).get(data)!;
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = typeof e.name === 'string' ? Buffer.from(e.name, 'utf8') : e.name;
    const body = e.deflate ? deflate(e.data) : e.data;
    const size = e.declaredSize ?? e.data.length;
    const flags = (e.flags ?? 0) | 0x800;
    const common = Buffer.concat([
      u16(flags),
      u16(e.deflate ? 8 : 0),
      u16(0),
      u16(0x21),
      u32(e.crc ?? zlib.crc32(e.data)),
      u32(body.length),
      u32(size),
      u16(name.length),
      u16(0),
    ]);
    const local = Buffer.concat([u32(0x04034b50), u16(20), common, name, body]);
    locals.push(local);
    central.push(
      Buffer.concat([u32(0x02014b50), u16((3 << 8) | 20), u16(20), common, u16(0), u16(0), u16(0), u32((e.unixMode ?? 0o100644) << 16), u32(offset), name]),
    );
    offset += local.length;
  }
  const cd = Buffer.concat(central);
  const count = entries.length;
  const end: Buffer[] = [];
  if (count > 0xffff) {
    const zip64At = offset + cd.length;
    end.push(Buffer.concat([u32(0x06064b50), u64(44), u16(45), u16(45), u32(0), u32(0), u64(count), u64(count), u64(cd.length), u64(offset)]));
    end.push(Buffer.concat([u32(0x07064b50), u32(0), u64(zip64At), u32(1)]));
  }
  const short = Math.min(count, 0xffff);
  end.push(Buffer.concat([u32(0x06054b50), u16(0), u16(0), u16(short), u16(short), u32(cd.length), u32(offset), u16(0)]));
  return Buffer.concat([...locals, cd, ...end]);
}

/** A definition document laid out as a BotportJson archive's files (manifest aside). */
export function botportFiles(doc: DefinitionDocument): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  files.set('bot.json', Buffer.from(JSON.stringify({ name: doc.bot.name, description: doc.bot.description ?? '' })));
  for (const c of doc.components) {
    const folder = c.locale ? `locales/${c.locale}/${c.kind}` : `bot/${c.kind}`;
    files.set(`${folder}/${c.name}.json`, Buffer.from(JSON.stringify(c)));
  }
  return files;
}

/** The files with a manifest.json listing each one's SHA-256 and size. */
export function withManifest(files: Map<string, Buffer>): Map<string, Buffer> {
  const entries = [...files].map(([path, data]) => ({ path, sha256: createHash('sha256').update(data).digest('hex'), size: data.length }));
  const manifest = { format: 'BotportJson', formatVersion: 1, entries };
  return new Map([...files, ['manifest.json', Buffer.from(JSON.stringify(manifest))]]);
}

export function zipOf(files: Map<string, Buffer>): Buffer {
  return rawZip([...files].map(([name, data]) => ({ name, data, deflate: true })));
}

/** Every file below `dir`, by its path inside `dir` with `/` separators: a folder as an archive's entries. */
export function filesUnder(dir: string): Map<string, Buffer> {
  const walk = (d: string): string[] =>
    fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]));
  return new Map(walk(dir).map((f) => [path.relative(dir, f).split(path.sep).join('/'), fs.readFileSync(f)]));
}

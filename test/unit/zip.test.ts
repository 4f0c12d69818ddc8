import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decryptEntry, encryptEntry } from '../../shared/src/archive/winzip-aes';
import { type ArchiveLimits, openArchive } from '../../shared/src/archive/zip-reader';
import { zipChunks, type ZipEntry } from '../../shared/src/archive/zip-writer';
import { unzip } from '../support/zip';

const MB = 1024 * 1024;
const LIMITS: ArchiveLimits = {
  IMPORT_MAX_UNCOMPRESSED_BYTES: 64 * MB,
  IMPORT_MAX_ENTRIES: 70_000,
  IMPORT_MAX_ENTRY_BYTES: 8 * MB,
  IMPORT_MAX_COMPRESSION_RATIO: 200,
  IMPORT_MEMORY_BUDGET_BYTES: 16 * MB,
};

/** The pieces the writer hands on for `entries`, in order. */
async function pieces(entries: ZipEntry[], password?: string): Promise<Buffer[]> {
  const chunks: Buffer[] = [];
  for await (const c of zipChunks(
    (async function* () {
      yield* entries;
    })(),
    { password },
  ))
    chunks.push(c);
  return chunks;
}

async function zip(entries: ZipEntry[], password?: string): Promise<Buffer> {
  return Buffer.concat(await pieces(entries, password));
}

const file = (data: Buffer) => {
  const p = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'botport-unit-')), 'a.zip');
  fs.writeFileSync(p, data);
  return p;
};

const entries = (): { name: string; data: Buffer }[] => [
  { name: 'manifest.json', data: Buffer.from('{"format":"BotportJson"}') },
  { name: 'locales/en_US/intent/Hello.json', data: Buffer.from(JSON.stringify({ kind: 'intent', text: 'hello '.repeat(500) })) },
  { name: 'bot/ünï©ødé.json', data: Buffer.from('{}') },
  { name: 'empty.json', data: Buffer.alloc(0) },
];

describe('the zip writer', () => {
  test('writes what any zip reader reads back, byte-identical for the same input', async () => {
    const a = await zip(entries());
    expect(await zip(entries())).toEqual(a);
    const read = await unzip(a);
    expect([...read.keys()]).toEqual(entries().map((e) => e.name));
    for (const e of entries()) expect(read.get(e.name)).toEqual(e.data);
  });

  test('hands on small entries gathered into pieces of 256 KB or more, a large one as it is', async () => {
    const many = Array.from({ length: 3000 }, (_, i) => ({ name: `locales/en_US/intent/I${i}.json`, data: randomBytes(200) }));
    many.splice(1500, 0, { name: 'locales/en_US/slotType/Large.json', data: randomBytes(1024 * 1024) });
    const chunks = await pieces(many);
    expect(chunks.length).toBeGreaterThan(2);
    // A piece under 256 KB is the last, or what was gathered before a large entry's stored bytes.
    chunks.slice(0, -1).forEach((c, i) => {
      if (c.length < 256 * 1024) expect(chunks[i + 1].length).toBeGreaterThanOrEqual(1024 * 1024);
    });
    const read = await unzip(Buffer.concat(chunks));
    expect(read.size).toBe(many.length);
    for (const e of many) expect(read.get(e.name)).toEqual(e.data);
  });

  test('stores an entry deflating would not shrink', async () => {
    const random = randomBytes(4096);
    const archive = await zip([{ name: 'noise.bin', data: random }]);
    expect(archive.readUInt16LE(8)).toBe(0); // method: stored
    expect((await unzip(archive)).get('noise.bin')).toEqual(random);
  });

  test('writes ZIP64 end records past 65,535 entries', async () => {
    const many = Array.from({ length: 65_600 }, (_, i) => ({ name: `e/${i}`, data: Buffer.from(String(i)) }));
    const archive = await zip(many);
    expect(archive.includes(Buffer.from([0x50, 0x4b, 0x06, 0x06]))).toBe(true);
    const opened = await openArchive(file(archive), LIMITS);
    expect(opened.entries.size).toBe(65_600);
    opened.close();
  }, 60_000); // 65,600 entries of their own zlib state each: seconds on a busy machine, and no figure of speed

  test('encrypts every entry with WinZip AES-256 that our reader opens with the password only', async () => {
    const archive = await zip(entries(), 'pa55word');
    await expect(openArchive(file(archive), LIMITS)).rejects.toThrow(/is encrypted; give the archive's password/);
    const opened = await openArchive(file(archive), LIMITS, 'pa55word');
    expect(await opened.read('locales/en_US/intent/Hello.json')).toEqual(entries()[1].data);
    await expect((await openArchive(file(archive), LIMITS, 'wrong')).read('manifest.json')).rejects.toThrow(/the password does not open entry 'manifest.json'/);
  });
});

describe('WinZip AES (AE-2)', () => {
  test('round-trips; a wrong password and altered bytes are refused by name', async () => {
    const data = Buffer.from('the plain bytes of an entry');
    const sealed = await encryptEntry('secret', data);
    expect(await decryptEntry('secret', sealed, 'x.json')).toEqual(data);
    await expect(decryptEntry('other', sealed, 'x.json')).rejects.toThrow("the password does not open entry 'x.json'");
    const altered = Buffer.from(sealed);
    altered[20] ^= 1;
    await expect(decryptEntry('secret', altered, 'x.json')).rejects.toThrow("entry 'x.json' fails its AES authentication check");
  });

  test('a fresh salt per entry: the same bytes never encrypt alike', async () => {
    const data = Buffer.from('same');
    expect((await encryptEntry('k', data)).equals(await encryptEntry('k', data))).toBe(false);
  });
});

describe('the zip reader', () => {
  test('refuses, before inflating, an entry that expands past the ratio, and after it one whose CRC-32 lies', async () => {
    const bomb = await zip([{ name: 'zeros.bin', data: Buffer.alloc(2 * MB) }]);
    await expect(openArchive(file(bomb), LIMITS)).rejects.toThrow(/entry 'zeros.bin' expands \d+:1, more than the 200:1 allowed/);
    const archive = await zip(entries());
    const at = archive.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])); // the first central header
    archive.writeUInt32LE(0xdeadbeef, at + 16);
    const opened = await openArchive(file(archive), LIMITS);
    await expect(opened.read('manifest.json')).rejects.toThrow("entry 'manifest.json' is damaged: its CRC-32 does not match its data");
    opened.close();
  });

  test('an entry larger than the memory budget is refused, naming it', async () => {
    const big = await zip([{ name: 'big.json', data: Buffer.from(JSON.stringify({ a: 'x'.repeat(20 * MB) })) }]);
    await expect(openArchive(file(big), { ...LIMITS, IMPORT_MAX_COMPRESSION_RATIO: 10_000 })).rejects.toThrow(
      /entry 'big.json' is 20.0 MB uncompressed; one entry may be at most 8.0 MB/,
    );
  });
});

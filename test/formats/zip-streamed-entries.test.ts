import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openArchive, zipChunks, type ZipEntry } from '@botport/shared';

/**
 * An entry too large to hold (Kore's botDefinition.json of a large bot) is
 * streamed: deflated, and encrypted when asked, as its bytes arrive, with a
 * data descriptor after it. Info-ZIP, 7-Zip and botport's own reader must
 * read such an archive, between ordinary entries, plain and with AES-256.
 */
const LIMITS = {
  IMPORT_MAX_UNCOMPRESSED_BYTES: 2 ** 31,
  IMPORT_MAX_ENTRIES: 100,
  IMPORT_MAX_ENTRY_BYTES: 2 ** 30,
  IMPORT_MAX_COMPRESSION_RATIO: 10_000,
  IMPORT_MEMORY_BUDGET_BYTES: 2 ** 30,
};
const PIECES = 150; // ~4 MB: several of the 1 MB blocks a streamed entry is deflated in
const piece = (i: number) => Buffer.from(`{"piece":${i},"text":"${'lorem ipsum dolor sit amet '.repeat(1000 + (i % 7))}"}\n`);
const streamed = Buffer.concat(Array.from({ length: PIECES }, (_, i) => piece(i)));

async function write(password?: string): Promise<string> {
  const entries = async function* (): AsyncGenerator<ZipEntry> {
    yield { name: 'before.json', data: Buffer.from('{"before":true}') };
    yield {
      name: 'big/botDefinition.json',
      stream: async function* () {
        for (let i = 0; i < PIECES; i++) yield piece(i);
      },
    };
    yield { name: 'after.bin', data: Buffer.from([0, 1, 2, 3]) };
  };
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'botport-zip-')), 'streamed.zip');
  const out: Buffer[] = [];
  for await (const chunk of zipChunks(entries(), { password })) out.push(chunk);
  fs.writeFileSync(file, Buffer.concat(out));
  return file;
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function readBack(file: string, password?: string): Promise<Map<string, Buffer>> {
  const archive = await openArchive(file, LIMITS, password);
  try {
    const files = new Map<string, Buffer>();
    for await (const { name, data } of archive.readInOrder([...archive.entries.keys()])) files.set(name, data);
    return files;
  } finally {
    archive.close();
  }
}

test('a streamed entry between ordinary ones reads back in botport, unzip and 7z', async () => {
  const file = await write();
  const files = await readBack(file);
  expect([...files.keys()]).toEqual(['before.json', 'big/botDefinition.json', 'after.bin']);
  expect(sha(files.get('big/botDefinition.json')!)).toBe(sha(streamed));
  expect(execFileSync('unzip', ['-t', file]).toString()).toMatch(/No errors detected/);
  expect(execFileSync('unzip', ['-p', file, 'big/botDefinition.json'], { maxBuffer: 64 * 1024 * 1024 }).equals(streamed)).toBe(true);
  // Deflated as it streamed: far smaller than the text.
  expect(fs.statSync(file).size).toBeLessThan(streamed.length / 10);
});

test('the same bytes twice give the same archive', async () => {
  expect(fs.readFileSync(await write()).equals(fs.readFileSync(await write()))).toBe(true);
});

test('with a password the streamed entry is AES-256 like the others: 7z and botport open it, a wrong password does not', async () => {
  const file = await write('streamed secret');
  const files = await readBack(file, 'streamed secret');
  expect(sha(files.get('big/botDefinition.json')!)).toBe(sha(streamed));
  expect(execFileSync('7z', ['t', '-pstreamed secret', file]).toString()).toMatch(/Everything is Ok/);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'botport-7z-'));
  execFileSync('7z', ['x', '-pstreamed secret', `-o${dir}`, file], { stdio: 'ignore' });
  expect(fs.readFileSync(path.join(dir, 'big/botDefinition.json')).equals(streamed)).toBe(true);
  await expect(readBack(file, 'wrong')).rejects.toThrow(/the password does not open entry/);
});

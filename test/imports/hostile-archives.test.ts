import { randomBytes } from 'node:crypto';
import { call, createBotWith, newTenant, startImport, storeSnapshot, token, useApiAndWorker, waitForImport } from '../support/harness';
import { demoBot } from '../support/fixtures';
import { botportFiles, rawZip, withManifest, zipOf } from '../support/archives';

const MB = 1024 * 1024;
// A lower archive limit than the default, so the over-the-limit case uploads little.
const stack = useApiAndWorker({ IMPORT_MAX_ARCHIVE_BYTES: String(16 * MB) });

const valid = () => withManifest(botportFiles(demoBot('Target')));

/** The demo bot with one dialog's body replaced by `body` (JSON text), the manifest recomputed. */
const withCheckoutBody = (body: string) => {
  const files = botportFiles(demoBot('Target'));
  files.set('bot/dialog/Checkout.json', Buffer.from(`{"kind":"dialog","name":"Checkout","body":${body}}`));
  return zipOf(withManifest(files));
};

/** A LexJson archive whose intent folder also holds `extra` (path under the folder → bytes). */
const lexWith = (extra: Record<string, Buffer>) => {
  const folder = 'Target/BotLocales/en_US';
  return zipOf(
    new Map([
      ['Manifest.json', Buffer.from(JSON.stringify({ metaData: { schemaVersion: '1', fileFormat: 'LexJson', resourceType: 'BOT' } }))],
      ['Target/Bot.json', Buffer.from(JSON.stringify({ name: 'Target' }))],
      [`${folder}/BotLocale.json`, Buffer.from(JSON.stringify({ identifier: 'en_US', nluConfidenceThreshold: 0.4 }))],
      [`${folder}/Intents/Hello/Intent.json`, Buffer.from(JSON.stringify({ name: 'Hello', sampleUtterances: [{ utterance: 'hi' }] }))],
      ...Object.entries(extra).map(([name, data]) => [`${folder}/Intents/Hello/${name}`, data] as [string, Buffer]),
    ]),
  );
};

/**
 * Every hostile archive is imported over an existing bot with Overwrite (the
 * strategy that would change most) and must end Failed with a reason a
 * person understands, quickly, leaving the store exactly as it was.
 */
const cases: [string, () => Buffer, RegExp][] = [
  [
    'zip bomb: a small entry that expands a thousandfold',
    () => rawZip([{ name: 'bomb.json', data: Buffer.alloc(20 * MB), deflate: true }]),
    /entry 'bomb\.json' expands \d+:1, more than the 200:1 allowed/,
  ],
  [
    'zip bomb behind a lying header: the manifest claims 100 bytes and inflates to 20 MB',
    () => rawZip([{ name: 'manifest.json', data: Buffer.alloc(20 * MB, 0x20), deflate: true, declaredSize: 100 }]),
    /entry 'manifest\.json' is damaged: it stores \d+ bytes for 100/, // refused before anything is inflated
  ],
  [
    'an entry whose local header is not where the central directory says',
    () => {
      const archive = zipOf(valid());
      const last = archive.lastIndexOf(Buffer.from([0x50, 0x4b, 0x03, 0x04])); // the last entry's local header signature
      return archive.fill(0, last, last + 4);
    },
    /entry '[^']+' is damaged: its local header is missing/,
  ],
  [
    'zip bomb behind a lying header that stores no more than it claims: 1 MB declared, 20 MB inflated',
    () => rawZip([{ name: 'manifest.json', data: Buffer.alloc(20 * MB, 0x20), deflate: true, declaredSize: MB }]),
    /entry 'manifest\.json' is damaged: too many bytes, more than the 1048576 its header says/,
  ],
  [
    'path traversal',
    () => rawZip([{ name: 'locales/../../../etc/cron.d/x', data: Buffer.from('{}') }]),
    /entry 'locales\/\.\.\/\.\.\/\.\.\/etc\/cron\.d\/x' escapes the archive root/,
  ],
  ['absolute path', () => rawZip([{ name: '/etc/passwd', data: Buffer.from('root') }]), /entry '\/etc\/passwd' has an absolute path/],
  // EDDI 6 on Windows writes `\` between folders; it is read as `/`, and every check applies to the name so read.
  [
    'path traversal with Windows separators',
    () => rawZip([{ name: 'agent\\..\\..\\etc\\cron.d\\x', data: Buffer.from('{}') }]),
    /entry 'agent\/\.\.\/\.\.\/etc\/cron\.d\/x' escapes the archive root/,
  ],
  ['absolute Windows path', () => rawZip([{ name: '\\etc\\passwd', data: Buffer.from('root') }]), /entry '\/etc\/passwd' has an absolute path/],
  ['a drive letter', () => rawZip([{ name: 'C:\\Windows\\x.json', data: Buffer.from('{}') }]), /entry 'C:\/Windows\/x\.json' has an absolute path/],
  [
    'the same name with either separator',
    () =>
      rawZip([
        { name: 'bot\\a.json', data: Buffer.from('{}') },
        { name: 'bot/a.json', data: Buffer.from('{}') },
      ]),
    /entry 'bot\/a\.json' appears twice/,
  ],
  ['symlink entry', () => rawZip([{ name: 'bot.json', data: Buffer.from('/etc/passwd'), unixMode: 0o120777 }]), /entry 'bot\.json' is a symbolic link/],
  // ZipCrypto: a 12-byte header before the (here: 2-byte) ciphertext.
  [
    'encrypted entry without a password',
    () => rawZip([{ name: 'bot.json', data: Buffer.alloc(14), flags: 0x1, declaredSize: 2 }]),
    /entry 'bot\.json' is encrypted/,
  ],
  [
    'duplicate names',
    () =>
      rawZip([
        { name: 'bot.json', data: Buffer.from('{}') },
        { name: 'bot.json', data: Buffer.from('{}') },
      ]),
    /entry 'bot\.json' appears twice/,
  ],
  [
    '100,000 tiny entries',
    () => rawZip(Array.from({ length: 100_000 }, (_, i) => ({ name: `e/${i}`, data: Buffer.alloc(0) }))),
    /the archive has 100000 entries; at most 50000 are allowed/,
  ],
  ['truncated zip', () => zipOf(valid()).subarray(0, 2000), /the upload is not a readable zip archive .*; is it truncated\?/],
  ['not a zip', () => Buffer.from('this is a text file, not an archive\n'.repeat(100)), /the upload is not a readable zip archive/],
  [
    'invalid UTF-8 names',
    () => rawZip([{ name: Buffer.from([0x62, 0xff, 0xfe, 0x2e, 0x6a]), data: Buffer.from('{}') }]),
    /entry #1 has a name that is not valid UTF-8/,
  ],
  [
    'JSON that is not JSON',
    () => {
      const files = botportFiles(demoBot('Target'));
      files.set('bot/dialog/Checkout.json', Buffer.from('{"kind": "dialog", "name": '));
      return zipOf(withManifest(files));
    },
    /entry 'bot\/dialog\/Checkout\.json' is not valid JSON/,
  ],
  [
    'a manifest whose hashes do not match',
    () => {
      const files = valid();
      files.set('bot/dialog/Checkout.json', Buffer.from(JSON.stringify({ kind: 'dialog', name: 'Checkout', body: { evil: true } })));
      return zipOf(files);
    },
    /entry 'bot\/dialog\/Checkout\.json' does not match the SHA-256 the manifest records/,
  ],
  [
    'an entry the manifest does not list',
    () => zipOf(new Map([...valid(), ['extra/payload.js', Buffer.from('process.exit()')]])),
    /entry 'extra\/payload\.js' is not listed in the manifest/,
  ],
  ['no manifest at all', () => zipOf(botportFiles(demoBot('Target'))), /the archive's format is unknown: botport reads BotportJson \(manifest.json\), LexJson/],
  [
    'a CRC-32 that does not match the data',
    () => rawZip([{ name: 'manifest.json', data: Buffer.from('{"format":"BotportJson"}'), deflate: true, crc: 0x12345678 }]),
    /entry 'manifest\.json' is damaged: its CRC-32 does not match its data/,
  ],
  [
    'small entries (under a megabyte) that each expand a thousandfold',
    () =>
      rawZip(Array.from({ length: 100 }, (_, i) => ({ name: `Target/BotLocales/en_US/Intents/X/f${i}.bin`, data: Buffer.alloc(1_000_000), deflate: true }))),
    /entry 'Target\/BotLocales\/en_US\/Intents\/X\/f0\.bin' expands \d+:1, more than the 200:1 allowed/,
  ],
  [
    'JSON nested 5,000 levels inside an entry',
    // Keys that differ, so the entry does not compress past the ratio limit first.
    () => withCheckoutBody(`${Array.from({ length: 5000 }, (_, i) => `{"n${i}":`).join('')}1${'}'.repeat(5000)}`),
    /entry 'bot\/dialog\/Checkout\.json' is refused: \$\.body(\.n\d+){99} nests deeper than 100 levels/,
  ],
  [
    'a NUL character inside an entry',
    () => withCheckoutBody('{"say":"a\\u0000b"}'),
    /entry 'bot\/dialog\/Checkout\.json' is refused: \$\.body\.say holds a NUL character/,
  ],
  [
    'a lone UTF-16 surrogate inside an entry',
    () => withCheckoutBody('{"nodes":[{"text":"\\ud800"}]}'),
    /entry 'bot\/dialog\/Checkout\.json' is refused: \$\.body\.nodes\[0\]\.text holds a lone UTF-16 surrogate/,
  ],
  [
    'two component names that differ only by Unicode normalization',
    () => {
      const files = botportFiles(demoBot('Target'));
      files.set('bot/action/Cafe1.json', Buffer.from(JSON.stringify({ kind: 'action', name: 'Caf\u00e9', body: {} })));
      files.set('bot/action/Cafe2.json', Buffer.from(JSON.stringify({ kind: 'action', name: 'Cafe\u0301', body: {} })));
      return zipOf(withManifest(files));
    },
    /the archive holds action 'Café' twice/,
  ],
  [
    'a Lex intent folder holding more than a megabyte of files that are not Lex definitions',
    () => lexWith({ 'payload.bin': randomBytes(1_200_000) }),
    /folder 'Intents\/Hello' \(en_US\) holds more than 1 MB of files that are not Lex definitions \(at 'Target\/BotLocales\/en_US\/Intents\/Hello\/payload\.bin'\)/,
  ],
  [
    'a component that breaks the rules',
    () => {
      const files = botportFiles(demoBot('Target'));
      files.set('bot/dialog/Bad.json', Buffer.from(JSON.stringify({ kind: 'spaceship', name: 'Bad', body: {} })));
      return zipOf(withManifest(files));
    },
    /the archive holds components that are not valid/,
  ],
];

describe('hostile archives end Failed with a clear reason and change nothing', () => {
  const tenant = newTenant();
  const bearer = token(tenant);
  let before: unknown;

  beforeAll(async () => {
    await createBotWith(stack.api, bearer, demoBot('Target'));
    before = await storeSnapshot(stack.api.ctx.db, tenant);
  });

  test.each(cases)('%s', async (_name, make, reason) => {
    const archive = make();
    const started = await startImport(stack.api, bearer, archive, { botImportSpecification: { botName: 'Target' } }, 'Overwrite');
    expect(started.status).toBe(202);
    const startedAt = Date.now();
    const done = await waitForImport(stack.api, bearer, started.body.importId, 20000);
    expect(done.importStatus).toBe('Failed');
    expect(done.failureReasons.join('\n')).toMatch(reason);
    // Refused on the first attempt: nothing in the archive gets better by trying again.
    expect(done.failureReasons.join('\n')).not.toMatch(/after \d+ attempts/);
    expect(Date.now() - startedAt).toBeLessThan(15000);
    expect(await storeSnapshot(stack.api.ctx.db, tenant)).toEqual(before);
  });

  test('an archive over the size limit is refused when the import starts', async () => {
    const upload = await call(stack.api, 'POST', '/createuploadurl/', { token: bearer });
    expect((await fetch(upload.body.uploadUrl, { method: 'PUT', body: Buffer.alloc(16 * MB + 1) })).status).toBe(200);
    const res = await call(stack.api, 'PUT', '/imports/', {
      token: bearer,
      body: { importId: upload.body.importId, resourceSpecification: { botImportSpecification: { botName: 'Target' } }, mergeStrategy: 'Overwrite' },
    });
    expect(res.status).toBe(400);
    expect(res.body.message).toBe('the uploaded archive is 16.0 MB; an import takes at most 16.0 MB');
    expect(await storeSnapshot(stack.api.ctx.db, tenant)).toEqual(before);
  });
});

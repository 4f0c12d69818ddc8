import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { rawZip } from '../support/archives';
import { demoBot } from '../support/fixtures';
import { createBotWith, newTenant, startImport, storeSnapshot, token, waitForImport } from '../support/harness';
import { type Service, startService, stopServices } from '../support/processes';
import { createPool } from '@botport/shared';

const MB = 1024 * 1024;
const BUDGET = 64 * MB;

/** The worker's peak resident memory (VmHWM) in MB. */
const peakMB = (pid: number) => Number(/VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

/** Lex-shaped folders of files that are a megabyte of zeros each: kilobytes uploaded, gigabytes if inflated. */
const zeros = (files: number) => {
  const megabyte = Buffer.alloc(1_000_000);
  return rawZip(Array.from({ length: files }, (_, i) => ({ name: `Bot/BotLocales/en_US/Intents/I${i % 10}/file${i}.bin`, data: megabyte, deflate: true })));
};

/**
 * An archive within every size limit must not blow the worker up: memory is
 * bounded by IMPORT_MEMORY_BUDGET_BYTES per import whatever the archive holds.
 * The worst archives from outside — 100 files of a megabyte of zeros (~100 KB
 * uploaded) and 1,500 of them (~2.3 MB) — two imports of each at once, in a
 * real worker process.
 */
test('two imports each of the worst in-limit archives at once: refused, nothing stored, worker peak RSS under budget + 150 MB', async () => {
  const env = { IMPORT_MEMORY_BUDGET_BYTES: String(BUDGET), IMPORT_CONCURRENCY: '2' };
  const [api, worker]: Service[] = await Promise.all([startService('api', env), startService('worker', env)]);
  const db = createPool(process.env.DATABASE_URL as string, 1);
  try {
    const tenant = newTenant();
    const bearer = token(tenant);
    await createBotWith(api, bearer, demoBot('Target'));
    const before = await storeSnapshot(db, tenant);
    const archives = [zeros(100), zeros(100), zeros(1500), zeros(1500)];
    expect(archives[2].length).toBeLessThan(2.5 * MB);
    const started = await Promise.all(archives.map((a) => startImport(api, bearer, a, { botImportSpecification: { botName: 'Target' } }, 'Overwrite')));
    const done = await Promise.all(started.map((s) => waitForImport(api, bearer, s.body.importId, 60000)));
    for (const d of done) {
      expect(d.importStatus).toBe('Failed');
      expect(d.failureReasons[0]).toMatch(/expands \d+:1, more than the 200:1 allowed/);
    }
    expect(await storeSnapshot(db, tenant)).toEqual(before);
    const peak = peakMB(worker.pid!);
    process.stderr.write(`[import-memory] worker peak RSS ${peak.toFixed(0)} MB (budget ${BUDGET / MB} MB per import)\n`);
    expect(peak).toBeLessThan(BUDGET / MB + 150);
  } finally {
    await db.end();
    await stopServices([api, worker]);
  }
}, 120000);

test('what an import must hold at once past its budget — one entry, or one component’s files — is refused, naming it', async () => {
  const env = { IMPORT_MEMORY_BUDGET_BYTES: String(2 * MB) };
  const [api, worker]: Service[] = await Promise.all([startService('api', env), startService('worker', env)]);
  try {
    const bearer = token(newTenant());
    // JSON that compresses about 2:1 (hex), well inside the ratio limit.
    const json = (bytes: number) => Buffer.from(JSON.stringify({ name: 'Big', note: randomBytes(bytes / 2).toString('hex') }));
    const folder = 'Bot/BotLocales/en_US/Intents/Big';
    const lex = (files: [string, Buffer][]) =>
      rawZip([
        { name: 'Manifest.json', data: Buffer.from('{"metaData":{"fileFormat":"LexJson","resourceType":"BOT"}}') },
        { name: 'Bot/BotLocales/en_US/BotLocale.json', data: Buffer.from('{"identifier":"en_US"}') },
        ...files.map(([name, data]) => ({ name, data, deflate: true })),
      ]);
    const cases: [Buffer, RegExp][] = [
      [
        lex([[`${folder}/Intent.json`, json(3 * MB)]]),
        /entry 'Bot\/BotLocales\/en_US\/Intents\/Big\/Intent\.json' is 3\.0 MB uncompressed; one entry may be at most 2\.0 MB/,
      ],
      [
        lex([
          [`${folder}/Intent.json`, json(900_000)],
          [`${folder}/Slots/A/Slot.json`, json(900_000)],
          [`${folder}/Slots/B/Slot.json`, json(900_000)],
        ]),
        /folder 'Bot\/BotLocales\/en_US\/Intents\/Big' holds more than 2\.0 MB, the most an import holds at once/,
      ],
    ];
    for (const [archive, reason] of cases) {
      const started = await startImport(api, bearer, archive, { botImportSpecification: { botName: 'Big' } });
      const done = await waitForImport(api, bearer, started.body.importId, 30000);
      expect([done.importStatus, done.failureReasons[0]]).toEqual(['Failed', expect.stringMatching(reason)]);
    }
  } finally {
    await stopServices([api, worker]);
  }
}, 120000);

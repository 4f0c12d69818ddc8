import { execFileSync } from 'node:child_process';
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Pool } from 'pg';
import { poll, startBenchApi, withWorker, type WorkerRun } from './harness';
import { AES_PBKDF2 } from '@botport/shared';
import { type BotShape, createPlatformBot, createShapedBot } from './synthetic-bot';

/**
 * Export and import throughput on three bot shapes (bench/synthetic-bot.ts),
 * CreateExport → Completed with the worker in its own process, each figure
 * against a baseline measured in the same run:
 * - cold (the archive entry cache emptied first), BotportJson and LexJson,
 *   against `zip -r -6` over the same files on disk;
 * - warm: the DRAFT with 1% of its components changed since the last export;
 * - repeat: a published version exported a second time with the same options (a copy);
 * - encrypted (filePassword) against plain, cold both, and the PBKDF2 floor:
 *   entries × one PBKDF2 (the zip writer's parameters) ÷ cores;
 * - import of the cold archive as a new bot, against the cold export;
 * - each worker's peak RSS; the cache's size per MB of bot.
 * And the first shape twice as large: cold BotportJson and peak RSS only.
 */

const FORMATS = ['BotportJson', 'LexJson'] as const;
type Format = (typeof FORMATS)[number];
const PASSWORD = 'bench password';

interface Versus {
  seconds: number;
  baselineSeconds: number;
  ratio: number;
}

export interface ShapeResult {
  shape: string;
  components: number;
  /** Of the BotportJson files on disk. */
  jsonMB: number;
  cold: Partial<Record<Format, Versus & { jsonMB: number; archiveMB: number; zipMB: number; entries: number; peakRssMB: number; workerCpuSeconds: number }>>;
  warm?: Record<Format, Versus & { changed: number }>;
  repeat?: Versus & { firstSeconds: number };
  encrypted?: { entries: number; plainSeconds: number; seconds: number; pbkdf2Ms: number; floorSeconds: number; overheadToFloor: number; ratioToPlain: number };
  import?: Versus & { peakRssMB: number };
  cache?: { MB: number; perBotMB: number };
  peakRssMB: number;
}

export type ThroughputResult = ShapeResult;

const mb = (n: number) => n / (1024 * 1024);
const round = (n: number, digits = 2) => +n.toFixed(digits);
const versus = (seconds: number, baselineSeconds: number): Versus => ({
  seconds: round(seconds),
  baselineSeconds: round(baselineSeconds),
  ratio: round(seconds / baselineSeconds),
});

interface Bench {
  url: string;
  db: Pool;
  bearer: string;
  tenant: string;
}

const cpuLine = (cpu: WorkerRun<unknown>['cpu']) =>
  `CPU s: worker ${cpu.worker.toFixed(2)}, postgres ${cpu.postgres.toFixed(2)}, s3 ${cpu.s3.toFixed(2)}, driver ${cpu.driver.toFixed(2)}`;

/** One export with a fresh worker: time, peak RSS and what DescribeExport says. */
async function exportRun(b: Bench, botId: string, botVersion: string, fileFormat: string, filePassword?: string) {
  const run = await withWorker(async () => {
    const res = await fetch(`${b.url}/exports/`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${b.bearer}`, 'content-type': 'application/json' },
      body: JSON.stringify({ resourceSpecification: { botExportSpecification: { botId, botVersion } }, fileFormat, filePassword }),
    });
    const { exportId } = (await res.json()) as { exportId: string };
    return poll(`${b.url}/exports/${exportId}/`, b.bearer, 'exportStatus');
  });
  const described = run.result as { exportStatus: string; downloadUrl: string; failureReasons?: string[]; archiveSizeBytes: number };
  if (described.exportStatus !== 'Completed') throw new Error(`${fileFormat} export of ${botVersion} failed: ${described.failureReasons}`);
  process.stderr.write(
    `[bench]   ${fileFormat} ${botVersion}${filePassword ? ' encrypted' : ''}: ${run.seconds.toFixed(2)} s, worker peak RSS ${run.peakRssMB.toFixed(0)} MB, ${cpuLine(run.cpu)}\n`,
  );
  return { seconds: run.seconds, peakRssMB: run.peakRssMB, cpu: run.cpu, described };
}

/** The baseline: the archive's files written to disk, zipped by Info-ZIP at level 6. The archive stays in `dir`. */
async function zipBaseline(downloadUrl: string, dir: string, name: string) {
  const archive = path.join(dir, `${name}.zip`);
  fs.writeFileSync(archive, Buffer.from(await (await fetch(downloadUrl)).arrayBuffer()));
  const tree = path.join(dir, name);
  execFileSync('unzip', ['-q', archive, '-d', tree]);
  const jsonBytes = Number(execFileSync('du', ['-sb', tree]).toString().split('\t')[0]);
  const entries = Number(execFileSync('sh', ['-c', 'find . -type f | wc -l'], { cwd: tree }).toString());
  const started = process.hrtime.bigint();
  execFileSync('zip', ['-r', '-6', '-q', path.join(dir, `${name}-baseline.zip`), '.'], { cwd: tree });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const zipBytes = fs.statSync(path.join(dir, `${name}-baseline.zip`)).size;
  fs.rmSync(tree, { recursive: true, force: true });
  fs.rmSync(path.join(dir, `${name}-baseline.zip`));
  return { archive, jsonBytes, entries, seconds, zipBytes };
}

/** Changes 1% of the DRAFT's components (at least one), as an edit would: each gets a new key, so a new digest. */
async function changeOnePercent(b: Bench, botId: string): Promise<number> {
  const { rowCount } = await b.db.query(
    `UPDATE components SET body = body || '{"benchRevision": 2}'::jsonb
      WHERE (tenant_id, bot_id, version, locale_id, kind, name) IN (
        SELECT tenant_id, bot_id, version, locale_id, kind, name FROM components
         WHERE tenant_id = $1 AND bot_id = $2 AND version = 'DRAFT' AND kind <> 'locale'
         ORDER BY md5(locale_id || kind || name)
         LIMIT greatest(1, (SELECT round(count(*) / 100.0) FROM components WHERE tenant_id = $1 AND bot_id = $2 AND version = 'DRAFT')))`,
    [b.tenant, botId],
  );
  return rowCount ?? 0;
}

/** One PBKDF2 as the zip writer derives each entry's keys, the median of 50. */
function pbkdf2Seconds(): number {
  const times: number[] = [];
  for (let i = 0; i < 50; i++) {
    const started = process.hrtime.bigint();
    pbkdf2Sync(PASSWORD, randomBytes(AES_PBKDF2.saltBytes), AES_PBKDF2.rounds, AES_PBKDF2.keyBytes, AES_PBKDF2.digest);
    times.push(Number(process.hrtime.bigint() - started) / 1e9);
  }
  return times.sort((a, c) => a - c)[25];
}

async function importRun(b: Bench, archive: string, botName: string) {
  const auth = { authorization: `Bearer ${b.bearer}`, 'content-type': 'application/json' };
  const upload = (await (await fetch(`${b.url}/createuploadurl/`, { method: 'POST', headers: auth })).json()) as { importId: string; uploadUrl: string };
  const put = await fetch(upload.uploadUrl, { method: 'PUT', body: fs.readFileSync(archive) });
  if (put.status !== 200) throw new Error(`upload failed: ${put.status}`);
  const run = await withWorker(async () => {
    await fetch(`${b.url}/imports/`, {
      method: 'PUT',
      headers: auth,
      body: JSON.stringify({ importId: upload.importId, resourceSpecification: { botImportSpecification: { botName } }, mergeStrategy: 'FailOnConflict' }),
    });
    return poll(`${b.url}/imports/${upload.importId}/`, b.bearer, 'importStatus');
  });
  const described = run.result as { importStatus: string; failureReasons?: string[] };
  if (described.importStatus !== 'Completed') throw new Error(`import failed: ${described.failureReasons}`);
  process.stderr.write(`[bench]   import: ${run.seconds.toFixed(2)} s, worker peak RSS ${run.peakRssMB.toFixed(0)} MB, ${cpuLine(run.cpu)}\n`);
  return run;
}

const step = (label: string, what: string) => process.stderr.write(`[bench] ${label}: ${what}…\n`);

async function runShape(b: Bench, label: string, shape: BotShape, bytes: number, full: boolean): Promise<ShapeResult> {
  step(label, `writing a ${shape} bot of ~${mb(bytes).toFixed(0)} MB of body JSON`);
  const botId = await createShapedBot(b.db, b.tenant, `Bench_${label}`, shape, bytes);
  const components = Number(
    (await b.db.query(`SELECT count(*) AS n FROM components WHERE tenant_id = $1 AND bot_id = $2 AND version = 'DRAFT'`, [b.tenant, botId])).rows[0].n,
  );
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'botport-bench-'));
  try {
    await b.db.query('TRUNCATE archive_entry_cache');
    const result: ShapeResult = { shape: label, components, jsonMB: 0, cold: {}, peakRssMB: 0 };
    const rss = (n: number) => (result.peakRssMB = Math.max(result.peakRssMB, round(n, 0)));
    const archives: Partial<Record<Format, string>> = {};
    for (const format of full ? FORMATS : (['BotportJson'] as const)) {
      step(label, `cold ${format} export, then zip -r -6 over its files`);
      const cold = await exportRun(b, botId, 'DRAFT', format);
      const zip = await zipBaseline(cold.described.downloadUrl, dir, format);
      archives[format] = zip.archive;
      result.cold[format] = {
        ...versus(cold.seconds, zip.seconds),
        jsonMB: round(mb(zip.jsonBytes), 1),
        archiveMB: round(mb(cold.described.archiveSizeBytes), 1),
        zipMB: round(mb(zip.zipBytes), 1),
        workerCpuSeconds: round(cold.cpu.worker),
        entries: zip.entries,
        peakRssMB: round(cold.peakRssMB, 0),
      };
      rss(cold.peakRssMB);
    }
    const botport = result.cold.BotportJson!;
    result.jsonMB = botport.jsonMB;
    if (!full) return result;

    const size = await b.db.query<{ bytes: string }>(`SELECT pg_total_relation_size('archive_entry_cache') AS bytes`);
    result.cache = { MB: round(mb(Number(size.rows[0].bytes)), 1), perBotMB: round(mb(Number(size.rows[0].bytes)) / botport.jsonMB) };

    const changed = await changeOnePercent(b, botId);
    result.warm = {} as ShapeResult['warm'] & object;
    for (const format of FORMATS) {
      step(label, `warm ${format} export (${changed} components changed)`);
      const warm = await exportRun(b, botId, 'DRAFT', format);
      result.warm[format] = { ...versus(warm.seconds, result.cold[format]!.baselineSeconds), changed };
      rss(warm.peakRssMB);
    }

    step(label, 'publishing, then the published version exported twice');
    const published = await fetch(`${b.url}/v1/bots/${botId}/versions`, { method: 'POST', headers: { authorization: `Bearer ${b.bearer}` } });
    const { version } = (await published.json()) as { version: string };
    const first = await exportRun(b, botId, version, 'BotportJson');
    const repeat = await exportRun(b, botId, version, 'BotportJson');
    result.repeat = { ...versus(repeat.seconds, botport.baselineSeconds), firstSeconds: round(first.seconds) };
    rss(Math.max(first.peakRssMB, repeat.peakRssMB));

    step(label, 'importing the cold BotportJson archive as a new bot');
    const imported = await importRun(b, archives.BotportJson!, `Bench_${label}_copy`);
    result.import = { ...versus(imported.seconds, botport.seconds), peakRssMB: round(imported.peakRssMB, 0) };
    rss(imported.peakRssMB);

    step(label, 'cold export with a password (AES-256), against the cold plain one and the PBKDF2 floor');
    await b.db.query('TRUNCATE archive_entry_cache');
    const encrypted = await exportRun(b, botId, 'DRAFT', 'BotportJson', PASSWORD);
    rss(encrypted.peakRssMB);
    const pbkdf2 = pbkdf2Seconds();
    const floor = (botport.entries * pbkdf2) / os.availableParallelism();
    result.encrypted = {
      entries: botport.entries,
      plainSeconds: botport.seconds,
      seconds: round(encrypted.seconds),
      pbkdf2Ms: round(pbkdf2 * 1000, 3),
      floorSeconds: round(floor),
      overheadToFloor: round((encrypted.seconds - botport.seconds) / floor),
      ratioToPlain: round(encrypted.seconds / botport.seconds),
    };
    return result;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export interface PlatformFormatResult {
  format: 'EddiZip' | 'KoreJson';
  components: number;
  jsonMB: number;
  archiveMB: number;
  exportSeconds: number;
  exportMBps: number;
  workerPeakRssMB: number;
  botportJsonSeconds: number;
  botportJsonPeakRssMB: number;
  ratioToBotportJson: number;
}

/** One export of a bot in `fileFormat`, with a worker of its own: time, peak RSS, the archive's size. */
async function exportAs(api: { url: string }, bearer: string, botId: string, fileFormat: string) {
  const auth = { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' };
  const run = await withWorker(async () => {
    const res = await fetch(`${api.url}/v1/exports`, { method: 'POST', headers: auth, body: JSON.stringify({ botId, fileFormat }) });
    const { exportId } = (await res.json()) as { exportId: string };
    return poll(`${api.url}/exports/${exportId}/`, bearer, 'exportStatus');
  });
  const described = run.result as { exportStatus: string; failureReasons?: string[]; archiveSizeBytes?: number };
  if (described.exportStatus !== 'Completed') throw new Error(`${fileFormat} export failed: ${described.failureReasons}`);
  return { seconds: run.seconds, peakRssMB: run.peakRssMB, archiveBytes: described.archiveSizeBytes ?? 0 };
}

/**
 * EDDI's and Kore.ai's own formats on one shape: a bot as botport imports it
 * from that platform (`components` of ~`bodyBytes`), exported in its own
 * format and, as the baseline, as BotportJson, each with a fresh worker, the
 * faster of two runs each.
 * KoreJson streams one botDefinition.json holding the whole bot.
 */
async function runPlatformCase(
  format: 'EddiZip' | 'KoreJson',
  components: number,
  bodyBytes: number,
  api: { url: string; db: Pool },
  bearer: string,
  tenant: string,
) {
  process.stderr.write(`[bench] ${format}: writing a bot of ~${components} components of ~${bodyBytes} bytes, as imported from that platform…\n`);
  const botId = await createPlatformBot(api.db, tenant, format, components, bodyBytes);
  const { rows } = await api.db.query<{ n: number; bytes: string }>(
    `SELECT count(*)::int AS n, sum(octet_length(body::text))::bigint AS bytes FROM components WHERE tenant_id = $1 AND bot_id = $2 AND version = 'DRAFT'`,
    [tenant, botId],
  );
  process.stderr.write(`[bench] ${format}: exporting as ${format}, then as BotportJson…\n`);
  // Twice each, interleaved, the faster kept: the machine is shared, and one slow run says little.
  const faster = <T extends { seconds: number }>(a: T, b: T) => (a.seconds <= b.seconds ? a : b);
  let own = await exportAs(api, bearer, botId, format);
  let baseline = await exportAs(api, bearer, botId, 'BotportJson');
  own = faster(own, await exportAs(api, bearer, botId, format));
  baseline = faster(baseline, await exportAs(api, bearer, botId, 'BotportJson'));
  const mb = (n: number) => n / (1024 * 1024);
  return {
    format,
    components: rows[0].n,
    jsonMB: +mb(Number(rows[0].bytes)).toFixed(1),
    archiveMB: +mb(own.archiveBytes).toFixed(1),
    exportSeconds: +own.seconds.toFixed(2),
    exportMBps: +(mb(Number(rows[0].bytes)) / own.seconds).toFixed(1),
    workerPeakRssMB: +own.peakRssMB.toFixed(0),
    botportJsonSeconds: +baseline.seconds.toFixed(2),
    botportJsonPeakRssMB: +baseline.peakRssMB.toFixed(0),
    ratioToBotportJson: +(own.seconds / baseline.seconds).toFixed(2),
  };
}

export async function platformFormats(scale: number): Promise<PlatformFormatResult[]> {
  const api = await startBenchApi({ EXPORT_MAX_UNFINISHED_PER_TENANT: 1000 });
  try {
    const components = Math.max(20, Math.round(5_000 * scale));
    const results: PlatformFormatResult[] = [];
    for (const format of ['EddiZip', 'KoreJson'] as const) {
      results.push(await runPlatformCase(format, components, 15_500, { url: api.url, db: api.ctx.db }, api.bearer, api.tenant));
    }
    return results;
  } finally {
    await api.close();
  }
}

export async function throughput(scale: number): Promise<ShapeResult[]> {
  const api = await startBenchApi({ EXPORT_MAX_UNFINISHED_PER_TENANT: 1000 });
  try {
    const b = { url: api.url, db: api.ctx.db, bearer: api.bearer, tenant: api.tenant };
    // ~160 MB of body JSON each at scale 1: at least 150 MB of files on disk.
    const bytes = 160 * 1024 * 1024 * scale;
    const results: ShapeResult[] = [];
    // BENCH_SHAPES=lex-like,… runs some of them (while profiling one).
    const only = process.env.BENCH_SHAPES?.split(',');
    for (const shape of ['lex-like', 'utterances', 'slot-types'] as const) {
      if (!only || only.includes(shape)) results.push(await runShape(b, shape, shape, bytes, true));
    }
    if (!only || only.includes('lex-like-x2')) results.push(await runShape(b, 'lex-like-x2', 'lex-like', 2 * bytes, false));
    return results;
  } finally {
    await api.close();
  }
}

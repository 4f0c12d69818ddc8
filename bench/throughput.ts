import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Pool } from 'pg';
import { poll, startBenchApi, withWorker } from './harness';
import { createPlatformBot, createSyntheticBot } from './synthetic-bot';

/**
 * Export and import throughput: a synthetic bot exported end to end
 * (CreateExport → Completed, worker in its own process) against `zip -r -6`
 * over the same files on disk, measured in the same run; then its archive
 * imported as a new bot (StartImport → Completed, a fresh worker), against
 * the export. Also each worker's peak RSS.
 */

interface Case {
  label: string;
  components: number;
  bodyBytes: number;
}

export interface ThroughputResult {
  label: string;
  components: number;
  jsonMB: number;
  archiveMB: number;
  exportSeconds: number;
  exportMBps: number;
  zipSeconds: number;
  ratioToZip: number;
  workerPeakRssMB: number;
  importSeconds: number;
  importMBps: number;
  importToExport: number;
  importWorkerPeakRssMB: number;
  encryptedExportSeconds: number;
  encryptedToPlain: number;
}

async function runCase(c: Case, api: { url: string; db: Pool }, bearer: string, tenant: string): Promise<ThroughputResult> {
  process.stderr.write(`[bench] ${c.label}: writing ${c.components} components of ~${c.bodyBytes} bytes…\n`);
  const botId = await createSyntheticBot(api.db, tenant, `Bench_${c.label}`, c.components, c.bodyBytes);

  const auth = { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' };
  const exportOnce = (filePassword?: string) =>
    withWorker(async () => {
      const res = await fetch(`${api.url}/exports/`, {
        method: 'PUT',
        headers: auth,
        body: JSON.stringify({ resourceSpecification: { botExportSpecification: { botId, botVersion: 'DRAFT' } }, fileFormat: 'BotportJson', filePassword }),
      });
      const { exportId } = (await res.json()) as { exportId: string };
      return poll(`${api.url}/exports/${exportId}/`, bearer, 'exportStatus');
    });
  const exported = await exportOnce();
  process.stderr.write(`[bench] ${c.label}: exporting again with a password (AES-256)…\n`);
  const encrypted = await exportOnce('bench password');
  if ((encrypted.result as { exportStatus: string }).exportStatus !== 'Completed') throw new Error('encrypted export failed');
  const described = exported.result as { exportStatus: string; downloadUrl?: string; failureReasons?: string[]; archiveSizeBytes?: number };
  if (described.exportStatus !== 'Completed') throw new Error(`export failed: ${described.failureReasons}`);
  const exportSeconds = exported.seconds;
  const workerPeakRssMB = exported.peakRssMB;

  // The baseline: the same files, written to disk, zipped by Info-ZIP at level 6.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'botport-bench-'));
  const archive = path.join(dir, 'export.zip');
  fs.writeFileSync(archive, Buffer.from(await (await fetch(described.downloadUrl!)).arrayBuffer()));
  const tree = path.join(dir, 'tree');
  execFileSync('unzip', ['-q', archive, '-d', tree]);
  const jsonBytes = Number(execFileSync('du', ['-sb', tree]).toString().split('\t')[0]);
  const zipStart = process.hrtime.bigint();
  execFileSync('zip', ['-r', '-6', '-q', path.join(dir, 'baseline.zip'), '.'], { cwd: tree });
  const zipSeconds = Number(process.hrtime.bigint() - zipStart) / 1e9;

  process.stderr.write(`[bench] ${c.label}: importing the archive as a new bot…\n`);
  const upload = (await (await fetch(`${api.url}/createuploadurl/`, { method: 'POST', headers: auth })).json()) as { importId: string; uploadUrl: string };
  const put = await fetch(upload.uploadUrl, { method: 'PUT', body: fs.readFileSync(archive) });
  if (put.status !== 200) throw new Error(`upload failed: ${put.status}`);
  const imported = await withWorker(async () => {
    await fetch(`${api.url}/imports/`, {
      method: 'PUT',
      headers: auth,
      body: JSON.stringify({
        importId: upload.importId,
        resourceSpecification: { botImportSpecification: { botName: `Bench_${c.label}_copy` } },
        mergeStrategy: 'FailOnConflict',
      }),
    });
    return poll(`${api.url}/imports/${upload.importId}/`, bearer, 'importStatus');
  });
  const importDescribed = imported.result as { importStatus: string; failureReasons?: string[] };
  if (importDescribed.importStatus !== 'Completed') throw new Error(`import failed: ${importDescribed.failureReasons}`);
  fs.rmSync(dir, { recursive: true, force: true });

  const mb = (n: number) => n / (1024 * 1024);
  return {
    label: c.label,
    components: c.components,
    jsonMB: +mb(jsonBytes).toFixed(1),
    archiveMB: +mb(described.archiveSizeBytes ?? 0).toFixed(1),
    exportSeconds: +exportSeconds.toFixed(2),
    exportMBps: +(mb(jsonBytes) / exportSeconds).toFixed(1),
    zipSeconds: +zipSeconds.toFixed(2),
    ratioToZip: +(exportSeconds / zipSeconds).toFixed(2),
    workerPeakRssMB: +workerPeakRssMB.toFixed(0),
    importSeconds: +imported.seconds.toFixed(2),
    importMBps: +(mb(jsonBytes) / imported.seconds).toFixed(1),
    importToExport: +(imported.seconds / exportSeconds).toFixed(2),
    importWorkerPeakRssMB: +imported.peakRssMB.toFixed(0),
    encryptedExportSeconds: +encrypted.seconds.toFixed(2),
    encryptedToPlain: +(encrypted.seconds / exportSeconds).toFixed(2),
  };
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

export async function throughput(scale: number): Promise<ThroughputResult[]> {
  const api = await startBenchApi({ EXPORT_MAX_UNFINISHED_PER_TENANT: 1000 });
  try {
    const cases: Case[] = [
      { label: 'large', components: Math.round(10_000 * scale), bodyBytes: 15_500 },
      { label: 'double', components: Math.round(20_000 * scale), bodyBytes: 15_500 },
    ];
    const results: ThroughputResult[] = [];
    for (const c of cases) results.push(await runCase(c, { url: api.url, db: api.ctx.db }, api.bearer, api.tenant));
    return results;
  } finally {
    await api.close();
  }
}

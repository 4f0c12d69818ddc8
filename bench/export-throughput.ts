import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AddressInfo } from 'node:net';
import { createApp, createContext, closeContext } from '@botport/api';
import { loadConfig, mintToken } from '@botport/shared';
import { createSyntheticBot } from './synthetic-bot';

/**
 * Export throughput: a synthetic bot exported end to end (CreateExport →
 * Completed, worker in its own process) against `zip -r -6` over the same
 * files on disk, measured in the same run. Also the worker's peak RSS.
 */

interface Case {
  label: string;
  components: number;
  bodyBytes: number;
}

export interface ExportResult {
  label: string;
  components: number;
  jsonMB: number;
  archiveMB: number;
  exportSeconds: number;
  exportMBps: number;
  zipSeconds: number;
  ratioToZip: number;
  workerPeakRssMB: number;
}

const ROOT = path.resolve(__dirname, '../..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function peakRssMB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

async function runCase(c: Case, api: { url: string; db: import('pg').Pool }, bearer: string, tenant: string): Promise<ExportResult> {
  process.stderr.write(`[bench] ${c.label}: writing ${c.components} components of ~${c.bodyBytes} bytes…\n`);
  const botId = await createSyntheticBot(api.db, tenant, `Bench_${c.label}`, c.components, c.bodyBytes);

  const worker = spawn(process.execPath, [path.join(ROOT, 'worker/dist/main.js')], { env: { ...process.env, LOG_LEVEL: 'warn' }, stdio: 'inherit' });
  await sleep(1500);
  const started = process.hrtime.bigint();
  const res = await fetch(`${api.url}/exports/`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
    body: JSON.stringify({ resourceSpecification: { botExportSpecification: { botId, botVersion: 'DRAFT' } }, fileFormat: 'BotportJson' }),
  });
  const { exportId } = (await res.json()) as { exportId: string };
  let described: { exportStatus: string; downloadUrl?: string; failureReasons?: string[]; archiveSizeBytes?: number };
  for (;;) {
    described = (await (await fetch(`${api.url}/exports/${exportId}/`, { headers: { authorization: `Bearer ${bearer}` } })).json()) as typeof described;
    if (described.exportStatus !== 'InProgress') break;
    await sleep(50);
  }
  const exportSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const workerPeakRssMB = peakRssMB(worker.pid!);
  worker.kill('SIGTERM');
  await new Promise((r) => worker.once('exit', r));
  if (described.exportStatus !== 'Completed') throw new Error(`export failed: ${described.failureReasons}`);

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
  };
}

export async function exportThroughput(scale: number): Promise<ExportResult[]> {
  const config = loadConfig();
  const ctx = createContext({ ...config, EXPORT_MAX_UNFINISHED_PER_TENANT: 1000 });
  const server = createApp(ctx).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const tenant = `bench-${Date.now()}`;
  const bearer = mintToken(config.JWT_SECRET as string, { sub: 'bench', tenant });
  try {
    const cases: Case[] = [
      { label: 'large', components: Math.round(10_000 * scale), bodyBytes: 15_500 },
      { label: 'double', components: Math.round(20_000 * scale), bodyBytes: 15_500 },
    ];
    const results: ExportResult[] = [];
    for (const c of cases) results.push(await runCase(c, { url, db: ctx.db }, bearer, tenant));
    return results;
  } finally {
    server.closeAllConnections();
    server.close();
    await closeContext(ctx);
  }
}

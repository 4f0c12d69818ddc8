import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createPool, migrate } from '@botport/shared';
import { burst, type BurstResult } from './burst';
import { type PollingResult, statusPolling } from './status-polling';
import { type PlatformFormatResult, platformFormats, throughput, type ThroughputResult } from './throughput';

/**
 * `npm run bench`: every benchmark (or those BENCH_ONLY names, comma-separated:
 * throughput, platforms, polling, burst), with JSON results and a Markdown table in bench/results/.
 */
async function main() {
  const scale = Number(process.env.BENCH_SCALE || 1);
  const db = createPool(process.env.DATABASE_URL as string, 1);
  await migrate(db);
  await db.end();

  const only = process.env.BENCH_ONLY ? process.env.BENCH_ONLY.split(',') : ['throughput', 'platforms', 'polling', 'burst'];
  const exports = only.includes('throughput') ? await throughput(scale) : [];
  const platforms = only.includes('platforms') ? await platformFormats(scale) : [];
  const polling = only.includes('polling') ? await statusPolling() : undefined;
  const bursts = only.includes('burst') ? await burst(Math.max(10, Math.round(1000 * scale))) : undefined;
  const machine = { cores: os.cpus().length, cpu: os.cpus()[0]?.model, memoryGB: Math.round(os.totalmem() / 2 ** 30), node: process.version };
  const results = { date: new Date().toISOString(), machine, scale, exports, platforms, polling, burst: bursts };

  const table = [
    `# botport benchmarks — ${results.date}`,
    '',
    `${machine.cores} cores (${machine.cpu}), ${machine.memoryGB} GiB, Node ${machine.node}. Ratios are against a baseline measured in the same run.`,
    '',
    ...(exports.length ? throughputTables(exports) : []),
    ...(platforms.length ? platformTable(platforms) : []),
    ...(polling ? pollingTable(polling) : []),
    ...(bursts ? burstTable(bursts) : []),
  ].join('\n');
  const dir = path.resolve(__dirname, '../results');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'results.json'), JSON.stringify(results, null, 2));
  fs.writeFileSync(path.join(dir, 'results.md'), table);
  process.stdout.write(`\n${table}\n`);
}

function throughputTables(exports: ThroughputResult[]): string[] {
  return [
    '## Export throughput (CreateExport → Completed) vs `zip -r -6` over the same files',
    '',
    '| bot | components | JSON MB | archive MB | export s | MB/s | zip -6 s | ratio | worker peak RSS MB |',
    '|---|---|---|---|---|---|---|---|---|',
    ...exports.map(
      (r) =>
        `| ${r.label} | ${r.components} | ${r.jsonMB} | ${r.archiveMB} | ${r.exportSeconds} | ${r.exportMBps} | ${r.zipSeconds} | ${r.ratioToZip}× | ${r.workerPeakRssMB} |`,
    ),
    '',
    '## Import throughput (StartImport → Completed, the same archive as a new bot) vs the export',
    '',
    '| bot | components | JSON MB | import s | MB/s | export s | import ÷ export | worker peak RSS MB |',
    '|---|---|---|---|---|---|---|---|',
    ...exports.map(
      (r) =>
        `| ${r.label} | ${r.components} | ${r.jsonMB} | ${r.importSeconds} | ${r.importMBps} | ${r.exportSeconds} | ${r.importToExport}× | ${r.importWorkerPeakRssMB} |`,
    ),
    '',
    '## Encrypted export (filePassword, WinZip AES-256) vs the plain export of the same bot',
    '',
    '| bot | components | plain s | encrypted s | encrypted ÷ plain |',
    '|---|---|---|---|---|',
    ...exports.map((r) => `| ${r.label} | ${r.components} | ${r.exportSeconds} | ${r.encryptedExportSeconds} | ${r.encryptedToPlain}× |`),
    '',
  ];
}

function platformTable(platforms: PlatformFormatResult[]): string[] {
  return [
    "## EDDI's and Kore.ai's own formats vs BotportJson, one bot shape each (as imported from that platform)",
    '',
    '| format | components | JSON MB | archive MB | export s | MB/s | worker peak RSS MB | BotportJson s | BotportJson peak RSS MB | ratio |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...platforms.map(
      (r) =>
        `| ${r.format} | ${r.components} | ${r.jsonMB} | ${r.archiveMB} | ${r.exportSeconds} | ${r.exportMBps} | ${r.workerPeakRssMB} | ${r.botportJsonSeconds} | ${r.botportJsonPeakRssMB} | ${r.ratioToBotportJson}× |`,
    ),
    '',
  ];
}

function pollingTable(polling: PollingResult): string[] {
  return [
    `## Status polling (DescribeExport: a bearer JWT or an AWS SigV4 signature verified each request) vs a bare Express route — ${polling.connections} connections, ${polling.seconds} s`,
    '',
    '| target | requests/s | p50 ms | p99 ms |',
    '|---|---|---|---|',
    `| DescribeExport, bearer JWT | ${polling.describe.rps} | ${polling.describe.p50ms} | ${polling.describe.p99ms} |`,
    `| DescribeExport, AWS SigV4 (one signed request replayed: valid 15 min, verified in full each time) | ${polling.describeSigV4.rps} | ${polling.describeSigV4.p50ms} | ${polling.describeSigV4.p99ms} |`,
    `| bare Express | ${polling.bare.rps} | ${polling.bare.p50ms} | ${polling.bare.p99ms} |`,
    `| bearer ÷ bare | ${polling.rpsRatio}× | | |`,
    `| SigV4 ÷ bearer | ${polling.sigV4ToBearer}× | | |`,
    '',
  ];
}

function burstTable(bursts: BurstResult): string[] {
  return [
    `## Burst: ${bursts.exports} CreateExport of small bots at once, one worker`,
    '',
    '| all Completed s | exports/s | one export alone s | burst ÷ (n × alone) | queue wait p50 s | queue wait p99 s |',
    '|---|---|---|---|---|---|',
    `| ${bursts.burstSeconds} | ${bursts.exportsPerSecond} | ${bursts.singleSeconds} | ${bursts.ratioToSequential}× | ${bursts.queueWaitP50s} | ${bursts.queueWaitP99s} |`,
    '',
  ];
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exit(1);
});

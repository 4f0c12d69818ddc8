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

  // The machine is shared: the load average before and after says whether anything else ran meanwhile.
  const loadBefore = os.loadavg()[0];
  const only = process.env.BENCH_ONLY ? process.env.BENCH_ONLY.split(',') : ['throughput', 'platforms', 'polling', 'burst'];
  const exports = only.includes('throughput') ? await throughput(scale) : [];
  const platforms = only.includes('platforms') ? await platformFormats(scale) : [];
  const polling = only.includes('polling') ? await statusPolling() : undefined;
  const bursts = only.includes('burst') ? await burst(Math.max(10, Math.round(1000 * scale))) : undefined;
  const machine = {
    cores: os.cpus().length,
    cpu: os.cpus()[0]?.model,
    memoryGB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    loadAverage: [loadBefore, os.loadavg()[0]].map((l) => +l.toFixed(2)),
  };
  const results = { date: new Date().toISOString(), machine, scale, exports, platforms, polling, burst: bursts };

  const table = [
    `# botport benchmarks — ${results.date}`,
    '',
    `${machine.cores} cores (${machine.cpu}), ${machine.memoryGB} GiB, Node ${machine.node}; 1-minute load average ${machine.loadAverage[0]} before, ${machine.loadAverage[1]} after. Ratios are against a baseline measured in the same run.`,
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

function throughputTables(shapes: ThroughputResult[]): string[] {
  const full = shapes.filter((r) => r.warm);
  const formats = ['BotportJson', 'LexJson'] as const;
  const target = (ok: boolean) => (ok ? '' : ' ✗');
  return [
    '## Cold export (archive entry cache emptied first, CreateExport → Completed) vs `zip -r -6` over the same files — target ≤ 1.0×',
    '',
    '| shape | format | components | JSON MB | archive MB | zip -6 archive MB | entries | export s | worker CPU s | zip -6 s | export ÷ zip | worker peak RSS MB |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...shapes.flatMap((r) =>
      formats
        .filter((f) => r.cold[f])
        .map((f) => {
          const c = r.cold[f]!;
          return `| ${r.shape} | ${f} | ${r.components} | ${c.jsonMB} | ${c.archiveMB} | ${c.zipMB} | ${c.entries} | ${c.seconds} | ${c.workerCpuSeconds} | ${c.baselineSeconds} | ${c.ratio}×${target(c.ratio <= 1)} | ${c.peakRssMB} |`;
        }),
    ),
    '',
    '## Warm export (the DRAFT with 1% of its components changed since the last export) vs `zip -r -6` — target ≤ 0.25×',
    '',
    '| shape | format | changed | warm s | zip -6 s | warm ÷ zip |',
    '|---|---|---|---|---|---|',
    ...full.flatMap((r) =>
      formats.map((f) => {
        const w = r.warm![f];
        return `| ${r.shape} | ${f} | ${w.changed} | ${w.seconds} | ${w.baselineSeconds} | ${w.ratio}×${target(w.ratio <= 0.25)} |`;
      }),
    ),
    '',
    '## Repeat export of a published version with the same options (BotportJson) vs `zip -r -6` — target ≤ 0.1× or < 1 s',
    '',
    '| shape | first export of the version s | repeat s | zip -6 s | repeat ÷ zip |',
    '|---|---|---|---|---|',
    ...full.map((r) => {
      const p = r.repeat!;
      return `| ${r.shape} | ${p.firstSeconds} | ${p.seconds} | ${p.baselineSeconds} | ${p.ratio}×${target(p.ratio <= 0.1 || p.seconds < 1)} |`;
    }),
    '',
    '## Encrypted export (filePassword, WinZip AES-256; cold, BotportJson) vs the cold plain export and the PBKDF2 floor (entries × one PBKDF2 ÷ cores) — target: encrypted ≤ plain + 1.1 × floor',
    '',
    '| shape | entries | one PBKDF2 ms | floor s | plain s | encrypted s | encrypted ÷ plain | (encrypted − plain) ÷ floor |',
    '|---|---|---|---|---|---|---|---|',
    ...full.map((r) => {
      const e = r.encrypted!;
      return `| ${r.shape} | ${e.entries} | ${e.pbkdf2Ms} | ${e.floorSeconds} | ${e.plainSeconds} | ${e.seconds} | ${e.ratioToPlain}× | ${e.overheadToFloor}×${target(e.overheadToFloor <= 1.1)} |`;
    }),
    '',
    '## Import (StartImport → Completed, the cold BotportJson archive as a new bot) vs the cold export — target ≤ 1.5×, worker < 300 MB',
    '',
    '| shape | JSON MB | import s | cold export s | import ÷ export | import worker peak RSS MB |',
    '|---|---|---|---|---|---|',
    ...full.map((r) => {
      const i = r.import!;
      return `| ${r.shape} | ${r.jsonMB} | ${i.seconds} | ${i.baselineSeconds} | ${i.ratio}×${target(i.ratio <= 1.5)} | ${i.peakRssMB}${target(i.peakRssMB < 300)} |`;
    }),
    '',
    '## Archive entry cache size (BotportJson and LexJson rows of the bot, table + TOAST + index) and worker peak RSS over every run of the shape',
    '',
    '| shape | JSON MB | cache MB | cache MB per MB of bot | worker peak RSS MB (all runs) |',
    '|---|---|---|---|---|',
    ...shapes.map((r) => `| ${r.shape} | ${r.jsonMB} | ${r.cache?.MB ?? '–'} | ${r.cache?.perBotMB ?? '–'} | ${r.peakRssMB}${target(r.peakRssMB < 300)} |`),
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

function pollingTable(p: PollingResult): string[] {
  const row = (name: string, l: PollingResult['lex']) => `| ${name} | ${l.rps} | ${l.p50ms} | ${l.p99ms} | ${l.cpuUsPerRequest ?? ''} |`;
  return [
    `## Status reads vs bare Express serving the same body — ${p.connections} connections, ${p.seconds} s each; api, bare Express and autocannon each in its own process`,
    '',
    '| target | requests/s | p50 ms | p99 ms | server CPU µs per request |',
    '|---|---|---|---|---|',
    row('Lex DescribeExport (Completed), bearer JWT', p.lex),
    row('bare Express, the same DescribeExport body', p.bareLex),
    row('native GET /v1/exports/{id} (Completed), bearer JWT', p.native),
    row('bare Express, the same native body', p.bareNative),
    row('Lex DescribeExport, AWS SigV4 (one signed request replayed, verified in full each time)', p.lexSigV4),
    `| DescribeExport ÷ bare | ${p.lexToBare}× | | | ${cpuRatio(p.bareLex, p.lex)}× |`,
    `| native GET ÷ bare | ${p.nativeToBare}× | | | ${cpuRatio(p.bareNative, p.native)}× |`,
    `| SigV4 ÷ bearer | ${p.sigV4ToBearer}× | | | ${cpuRatio(p.lex, p.lexSigV4)}× |`,
    '',
    `Log lines the api wrote at info or above during the loads: ${p.infoLinesUnderLoad}.`,
    '',
    `## Server-sent events: ${p.sse.subscribers} subscribers on one api (100 exports), five rounds of progress writes`,
    '',
    '| api memory per subscriber KB | events | missed | delay from write p50 ms | p99 ms | max ms |',
    '|---|---|---|---|---|---|',
    `| ${p.sse.kbPerSubscriber} | ${p.sse.events} | ${p.sse.missed} | ${p.sse.p50ms} | ${p.sse.p99ms} | ${p.sse.maxMs} |`,
    '',
  ];
}

/** Requests per CPU second, as a ratio like requests/s: `base`'s CPU per request over `l`'s. */
const cpuRatio = (base: PollingResult['lex'], l: PollingResult['lex']) =>
  base.cpuUsPerRequest && l.cpuUsPerRequest ? +(base.cpuUsPerRequest / l.cpuUsPerRequest).toFixed(2) : '';

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

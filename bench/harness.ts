import { spawn } from 'node:child_process';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createContext, closeContext, createServer } from '@botport/api';
import { type Config, loadConfig, mintToken, WORKER_NODE_ARGS } from '@botport/shared';

/** What every benchmark uses: an api in this process, workers in their own, polling, peak RSS. */
export const ROOT = path.resolve(__dirname, '../..');
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function peakRssMB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

export interface BenchApi {
  url: string;
  ctx: ReturnType<typeof createContext>;
  tenant: string;
  bearer: string;
  close(): Promise<void>;
}

/** An api in this process with the run's environment (plus overrides), and a token for a fresh tenant. */
export async function startBenchApi(overrides: Partial<Config> = {}): Promise<BenchApi> {
  const config = { ...loadConfig(), ...overrides };
  const ctx = createContext(config);
  const server = createServer(ctx).listen(0, '127.0.0.1');
  // Baselines may block this process for seconds (execFileSync); a short keep-alive
  // would then close the driver's idle connection just as it is reused.
  server.keepAliveTimeout = 10 * 60 * 1000;
  await new Promise((r) => server.once('listening', r));
  const tenant = `bench-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    ctx,
    tenant,
    bearer: mintToken(config.JWT_SECRET as string, { sub: 'bench', tenant }),
    async close() {
      server.closeAllConnections();
      server.close();
      await closeContext(ctx);
    },
  };
}

/** Polls a Lex Describe operation until the job leaves InProgress. */
export async function poll(url: string, bearer: string, statusField: string): Promise<Record<string, unknown>> {
  for (;;) {
    const described = (await (await fetch(url, { headers: { authorization: `Bearer ${bearer}` } })).json()) as Record<string, unknown>;
    if (described[statusField] !== 'InProgress') return described;
    await sleep(50);
  }
}

/** CPU seconds (user + system, every thread) a process has used, from /proc. */
function cpuSeconds(pid: number): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
  } catch {
    return 0; // gone, or not ours to read
  }
}

/** The PostgreSQL backends alive now, by pid: the worker's connections live until it exits. */
function postgresBackends(): Map<number, number> {
  const backends = new Map<number, number>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (fs.readFileSync(`/proc/${name}/comm`, 'utf8').trim() === 'postgres') backends.set(Number(name), cpuSeconds(Number(name)));
    } catch {
      // exited meanwhile
    }
  }
  return backends;
}

export interface WorkerRun<T> {
  result: T;
  seconds: number;
  peakRssMB: number;
  /** CPU seconds over the run: the worker's, PostgreSQL's, and this driver's and the S3 server's (the bench's parent process). */
  cpu: { worker: number; postgres: number; driver: number; s3: number };
}

/** Runs `work` with a fresh worker process; times it and reads the worker's peak RSS and where CPU went. */
export async function withWorker<T>(work: () => Promise<T>, env: Record<string, string> = {}): Promise<WorkerRun<T>> {
  const args = process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const worker = spawn(process.execPath, [...WORKER_NODE_ARGS, ...args, path.join(ROOT, 'worker/dist/main.js')], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: 'inherit',
  });
  await sleep(1500);
  try {
    const before = { worker: cpuSeconds(worker.pid!), postgres: postgresBackends(), driver: cpuSeconds(process.pid), s3: cpuSeconds(process.ppid) };
    const started = process.hrtime.bigint();
    const result = await work();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    let postgres = 0;
    for (const [pid, used] of postgresBackends()) postgres += used - (before.postgres.get(pid) ?? 0);
    const cpu = {
      worker: cpuSeconds(worker.pid!) - before.worker,
      postgres: +postgres.toFixed(2),
      driver: cpuSeconds(process.pid) - before.driver,
      s3: cpuSeconds(process.ppid) - before.s3,
    };
    return { result, seconds, peakRssMB: peakRssMB(worker.pid!), cpu };
  } finally {
    worker.kill('SIGTERM');
    await new Promise((r) => worker.once('exit', r));
  }
}

export const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

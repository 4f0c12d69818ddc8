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

/** Runs `work` with a fresh worker process; times it and reads the worker's peak RSS. */
export async function withWorker<T>(work: () => Promise<T>, env: Record<string, string> = {}): Promise<{ result: T; seconds: number; peakRssMB: number }> {
  const args = process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const worker = spawn(process.execPath, [...WORKER_NODE_ARGS, ...args, path.join(ROOT, 'worker/dist/main.js')], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: 'inherit',
  });
  await sleep(1500);
  try {
    const started = process.hrtime.bigint();
    const result = await work();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return { result, seconds, peakRssMB: peakRssMB(worker.pid!) };
  } finally {
    worker.kill('SIGTERM');
    await new Promise((r) => worker.once('exit', r));
  }
}

export const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

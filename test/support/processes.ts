import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { WORKER_NODE_ARGS } from '@botport/shared';

const ROOT = path.resolve(__dirname, '../..');

/** Runs a built process (api or worker) with the run's environment; output kept for diagnosis (and written to SERVICE_LOG_DIR when set). */
export function spawnService(name: 'api' | 'worker', env: Record<string, string> = {}): ChildProcess & { output: () => string } {
  const args = name === 'worker' ? WORKER_NODE_ARGS : [];
  const child = spawn(process.execPath, [...args, path.join(ROOT, name, 'dist/main.js')], {
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (d: Buffer) => {
    out += d;
    if (process.env.SERVICE_LOG_DIR) fs.appendFileSync(path.join(process.env.SERVICE_LOG_DIR, `${name}-${child.pid}.log`), d);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return Object.assign(child, { output: () => out });
}

export async function waitForLog(child: { output: () => string }, pattern: RegExp, timeoutMs = 20000): Promise<void> {
  const start = Date.now();
  while (!pattern.test(child.output())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${pattern}; output:\n${child.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  // A process killed by a signal has no exit code, only a signal code.
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

export type Service = ChildProcess & { output: () => string; url: string };

/** Starts a built api or worker process and waits until it is ready; an api's URL is read from its log. */
export async function startService(name: 'api' | 'worker', env: Record<string, string> = {}): Promise<Service> {
  const child = spawnService(name, { PORT: '0', ...env });
  try {
    await waitForLog(child, name === 'api' ? /api listening/ : /worker started/);
  } catch (err) {
    child.kill('SIGKILL'); // a process that never got ready must not outlive the test
    throw err;
  }
  const port = name === 'api' ? /"port":(\d+),[^\n]*"msg":"api listening"/.exec(child.output())?.[1] : undefined;
  return Object.assign(child, { url: port ? `http://127.0.0.1:${port}` : '' });
}

/** Stops processes: SIGKILL (a crash) or SIGTERM (a graceful stop), waiting for each to exit. */
export async function stopServices(children: ChildProcess[], signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  await Promise.all(children.filter((c) => c.exitCode === null && c.signalCode === null).map((c) => (c.kill(signal), exitOf(c))));
}

/** Polls `probe` every 250 ms until `done` holds (a probe that throws counts as not yet), or fails naming `what`. */
export async function until<T>(what: string, probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 120000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = await probe().catch(() => undefined as T);
    if (value !== undefined && done(value)) return value;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

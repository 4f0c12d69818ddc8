import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

/** Runs a built process (api or worker) with the run's environment; output kept for diagnosis. */
export function spawnService(name: 'api' | 'worker', env: Record<string, string> = {}): ChildProcess & { output: () => string } {
  const child = spawn(process.execPath, [path.join(ROOT, name, 'dist/main.js')], {
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (out += d));
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
  if (child.exitCode !== null) return Promise.resolve({ code: child.exitCode, signal: null });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

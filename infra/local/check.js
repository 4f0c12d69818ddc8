'use strict';
// `npm run check`: the gates CI runs before the tests — types (every
// workspace, test/ and bench/), lint (typescript-eslint with type
// information), format (prettier), import cycles (dpdm) and the OpenAPI
// document (redocly) — each reported on its own line, then
// `N passed, N failed` over the gates.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const services = require('./services');
const { runOnNode24 } = require('./node');

const root = path.resolve(__dirname, '../..');

/** Every source tree a cycle could run through. */
const SOURCES = ['api/src', 'api/console/src', 'shared/src', 'worker/src', 'cli/src', 'bench'].map((d) => `${d}/**/*.ts`);

const GATES = [
  ['types', 'npx', ['tsc', '-b', 'api', 'worker', 'cli', 'api/console']],
  ['types (test/)', 'npx', ['tsc', '-p', 'test']],
  ['types (bench/)', 'npx', ['tsc', '-p', 'bench', '--noEmit']],
  ['lint', 'npx', ['eslint', '--max-warnings', '0', '.']],
  ['format', 'npx', ['prettier', '--check', '--log-level', 'warn', '.']],
  ['cycles', 'npx', ['dpdm', '--no-warning', '--no-tree', '--exit-code', 'circular:1', ...SOURCES]],
  // The document the api serves (built by the types gate), linted as published.
  ['openapi', 'npx', () => ['redocly', 'lint', '--format', 'stylish', servedDocument()]],
];

/** Writes the OpenAPI document as the api serves it to a temporary file. */
function servedDocument() {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'botport-openapi-')), 'openapi.json');
  const { openApiDocument } = require(path.join(root, 'api/dist/openapi/document'));
  fs.writeFileSync(file, JSON.stringify(openApiDocument('http://127.0.0.1:7070')));
  return file;
}

async function main() {
  if (!runOnNode24()) return;
  services.ensureDependencies(root);
  let passed = 0;
  let failed = 0;
  for (const [name, command, args] of GATES) {
    const started = Date.now();
    const ok = spawnSync(command, typeof args === 'function' ? args() : args, { cwd: root, stdio: 'inherit' }).status === 0;
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

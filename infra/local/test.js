'use strict';
// `npm test`: installs what is missing, builds, makes sure PostgreSQL and
// Redis answer, then runs every jest suite (each run isolates itself: its own
// database, Redis prefix, S3 server and bucket — see test/support/global-setup.ts)
// and ends with one line: `N passed, N failed[, N skipped]`.
// `npm run test:faults` (`test.js faults`) runs the fault suite the same way.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const services = require('./services');
const { runOnNode24 } = require('./node');

const root = path.resolve(__dirname, '../..');

async function main() {
  if (!runOnNode24()) return; // the same command goes on under Node 24
  services.ensureDependencies(root);
  services.build(root);
  // ts-jest only transpiles; the tests' types are checked here.
  if (spawnSync('npx', ['tsc', '-p', 'test'], { cwd: root, stdio: 'inherit' }).status !== 0) throw new Error('the tests do not type-check');
  await services.ensurePostgres(process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres');
  await services.ensureRedis(process.env.REDIS_URL || 'redis://127.0.0.1:6379');
  services.ensureTool('7z', 'p7zip-full'); // password-protected archives are checked with 7-Zip
  services.ensureTool('chromium', 'chromium'); // the console's browser tests drive Debian's Chromium
  // The Lex surface's tests drive the real AWS clients: Debian's AWS CLI and boto3 (see test/support/aws-clients.ts).
  services.ensurePackage(() => fs.existsSync('/usr/bin/aws'), 'awscli', "Debian's AWS CLI (/usr/bin/aws)");
  services.ensurePackage(
    () => spawnSync('/usr/bin/python3', ['-c', 'import boto3'], { stdio: 'ignore' }).status === 0,
    'python3-boto3',
    'boto3 for /usr/bin/python3',
  );

  const faults = process.argv[2] === 'faults';
  const config = faults ? 'test/faults/jest.config.js' : 'test/jest.config.js';
  const report = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'botport-jest-')), 'report.json');
  const jest = spawnSync('npx', ['jest', '--config', config, '--json', '--outputFile', report, ...process.argv.slice(faults ? 3 : 2)], {
    cwd: root,
    stdio: 'inherit',
  });
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  if (fs.existsSync(report)) {
    const r = JSON.parse(fs.readFileSync(report, 'utf8'));
    passed = r.numPassedTests;
    failed = r.numFailedTests + (r.numRuntimeErrorTestSuites || 0);
    skipped = r.numPendingTests + (r.numTodoTests || 0);
  } else {
    failed = 1; // jest could not even start (global setup failed)
  }
  const code = jest.status === 0 && failed === 0 ? 0 : 1;
  process.stdout.write(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
  process.exit(code);
}

main().catch((err) => {
  process.stderr.write(`${err.message}\n`);
  process.stdout.write('\n0 passed, 1 failed\n');
  process.exit(1);
});

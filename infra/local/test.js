'use strict';
// `npm test`: installs what is missing, runs the unit tier (no services),
// builds, makes sure PostgreSQL and Redis answer, then runs every jest suite
// (each run isolates itself: its own database, Redis prefix, S3 server and
// bucket — see test/support/global-setup.ts) and ends with one line:
// `N passed, N failed[, N skipped]`. `npm run test:unit` (`test.js unit`)
// runs the unit tier alone, `npm run test:faults` (`test.js faults`) the
// fault suite the same way.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const services = require('./services');
const { runOnNode24 } = require('./node');

const root = path.resolve(__dirname, '../..');

/** Runs one jest configuration; returns what it counted. */
function runJest(config, args) {
  const report = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'botport-jest-')), 'report.json');
  const jest = spawnSync('npx', ['jest', '--config', config, '--json', '--outputFile', report, '--passWithNoTests', ...args], { cwd: root, stdio: 'inherit' });
  if (!fs.existsSync(report)) return { passed: 0, failed: 1, skipped: 0, ok: false }; // jest could not even start (global setup failed)
  const r = JSON.parse(fs.readFileSync(report, 'utf8'));
  const failed = r.numFailedTests + (r.numRuntimeErrorTestSuites || 0);
  return { passed: r.numPassedTests, failed, skipped: r.numPendingTests + (r.numTodoTests || 0), ok: jest.status === 0 && failed === 0 };
}

async function main() {
  if (!runOnNode24()) return; // the same command goes on under Node 24
  services.ensureDependencies(root);
  const tier = ['unit', 'faults'].includes(process.argv[2]) ? process.argv[2] : 'all';
  const args = process.argv.slice(tier === 'all' ? 2 : 3);
  const runs = [];
  // The unit tier needs no build and no service: it runs first, and alone with `test:unit`.
  if (tier !== 'faults') runs.push(runJest('test/unit/jest.config.js', args));
  if (tier !== 'unit') {
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
    runs.push(runJest(tier === 'faults' ? 'test/faults/jest.config.js' : 'test/jest.config.js', args));
  }
  const sum = (k) => runs.reduce((n, r) => n + r[k], 0);
  const skipped = sum('skipped');
  process.stdout.write(`\n${sum('passed')} passed, ${sum('failed')} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
  process.exit(runs.every((r) => r.ok) ? 0 : 1);
}

main().catch((err) => {
  process.stderr.write(`${err.message}\n`);
  process.stdout.write('\n0 passed, 1 failed\n');
  process.exit(1);
});

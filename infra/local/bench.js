'use strict';
// `npm run bench`: builds, makes sure PostgreSQL and Redis answer, gives the
// run its own database, Redis prefix, S3 server and bucket, then runs
// bench/run.ts. Results: bench/results/results.{json,md}. BENCH_SCALE=0.1
// runs a small version quickly.
const { spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const os = require('node:os');
const path = require('node:path');
const fs = require('node:fs');
const services = require('./services');
const { runOnNode24 } = require('./node');

const root = path.resolve(__dirname, '../..');

async function main() {
  if (!runOnNode24()) return; // the same command goes on under Node 24
  services.ensureDependencies(root);
  services.build(root);
  const r = spawnSync('npx', ['tsc', '-p', 'bench'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('building the benchmarks failed');

  const runId = crypto.randomBytes(4).toString('hex');
  const base = process.env.BENCH_DATABASE_BASE_URL || 'postgres://postgres@127.0.0.1:5432';
  const databaseUrl = `${base}/botport_bench_${runId}`;
  await services.ensurePostgres(databaseUrl);
  await services.ensureRedis(process.env.REDIS_URL || 'redis://127.0.0.1:6379');
  await services.ensureDatabase(databaseUrl);
  const bucket = `botport-bench-${runId}`;
  const s3dir = path.join(os.tmpdir(), `botport-bench-s3-${runId}`);
  const s3 = await services.startS3(s3dir, 0, [bucket]);
  try {
    const env = {
      ...process.env,
      ...services.s3Env(s3.endpoint, bucket),
      DATABASE_URL: databaseUrl,
      REDIS_URL: process.env.REDIS_URL || 'redis://127.0.0.1:6379',
      QUEUE_PREFIX: `bp-bench-${runId}`,
      JWT_SECRET: `bench-secret-${runId}-0123456789`,
      LOG_LEVEL: 'warn',
    };
    // The S3 server stays in this process, the benchmark driver and the worker run in their own.
    const child = require('node:child_process').spawn(process.execPath, [path.join(root, 'bench/dist/run.js')], { cwd: root, env, stdio: 'inherit' });
    const code = await new Promise((resolve) => child.once('exit', resolve));
    if (code !== 0) throw new Error(`the benchmark exited with ${code}`);
  } finally {
    if (s3.server.httpServer) s3.server.httpServer.closeAllConnections();
    await s3.server.close().catch(() => undefined);
    fs.rmSync(s3dir, { recursive: true, force: true });
    await services.dropDatabase(databaseUrl).catch(() => undefined);
    await services.deleteRedisKeys(process.env.REDIS_URL || 'redis://127.0.0.1:6379', `bp-bench-${runId}`).catch(() => undefined);
  }
}

main().catch((err) => {
  process.stderr.write(`${err.message}\n`);
  process.exit(1);
});

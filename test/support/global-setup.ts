import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { createPool, migrate } from '@botport/shared';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const services = require('../../infra/local/services.js');

/**
 * One isolated world per test run: its own database, Redis key prefix, S3
 * server and bucket. The environment set here reaches every test worker.
 * The run's database is migrated once and is then the template each test
 * file copies for itself (test/support/own-database.ts), so no file's
 * reconciler or sweeper ever meets another file's jobs.
 */
export default async function globalSetup(): Promise<void> {
  const runId = randomBytes(4).toString('hex');
  const base = process.env.TEST_DATABASE_BASE_URL || 'postgres://postgres@127.0.0.1:5432';
  const databaseUrl = `${base}/botport_test_${runId}`;
  await services.ensureDatabase(databaseUrl);
  const db = createPool(databaseUrl, 1);
  await migrate(db);
  await db.end();

  const bucket = `botport-test-${runId}`;
  const s3 = await services.startS3(path.join(os.tmpdir(), `botport-s3-${runId}`), 0, [bucket]);

  Object.assign(process.env, services.s3Env(s3.endpoint, bucket), {
    NODE_ENV: 'test',
    BOTPORT_TEST_RUN: runId,
    DATABASE_URL: databaseUrl,
    BOTPORT_TEST_TEMPLATE_URL: databaseUrl,
    REDIS_URL: process.env.REDIS_URL || 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: `bp-test-${runId}`,
    JWT_SECRET: `test-secret-${runId}-0123456789`,
    JWT_ALGORITHMS: 'HS256',
    LOG_LEVEL: process.env.LOG_LEVEL || 'silent',
    PUBLIC_BASE_URL: 'http://botport.test',
  });
  (globalThis as Record<string, unknown>).__botportS3 = s3;
}

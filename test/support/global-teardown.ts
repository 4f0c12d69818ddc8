import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const services = require('../../infra/local/services.js');

/** Removes everything this run made: database, Redis keys, S3 data. */
export default async function globalTeardown(): Promise<void> {
  const runId = process.env.BOTPORT_TEST_RUN;
  if (!runId) return;
  const s3 = (globalThis as unknown as Record<string, { server: { close(): Promise<void>; httpServer?: { closeAllConnections(): void } } }>).__botportS3;
  s3?.server.httpServer?.closeAllConnections();
  await s3?.server.close().catch(() => undefined);
  fs.rmSync(path.join(os.tmpdir(), `botport-s3-${runId}`), { recursive: true, force: true });
  // The run's database and every test file's copy of it.
  await services.dropDatabasesLike(process.env.BOTPORT_TEST_TEMPLATE_URL, `botport_test_${runId}`).catch(() => undefined);
  await services.deleteRedisKeys(process.env.REDIS_URL, process.env.QUEUE_PREFIX);
}

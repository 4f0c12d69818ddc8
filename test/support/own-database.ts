import { randomBytes } from 'node:crypto';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const services = require('../../infra/local/services.js');

/**
 * Each test file gets a database of its own, copied from the run's migrated
 * one before anything in the file runs: a worker's reconciler and sweeper
 * work across tenants, so in a shared database one file's worker would take
 * up (or sweep away) another file's jobs. Every process the file starts
 * inherits DATABASE_URL. The run's teardown drops the copies.
 */
beforeAll(async () => {
  const template = process.env.BOTPORT_TEST_TEMPLATE_URL as string;
  const url = new URL(template);
  url.pathname = `${url.pathname}_${randomBytes(3).toString('hex')}`;
  await services.cloneDatabase(template, url.toString());
  process.env.DATABASE_URL = url.toString();
});

'use strict';
// Makes sure PostgreSQL and Redis answer, starting (or, as root, installing)
// them when they do not, and runs a local S3 server. Used by `npm start`,
// `npm test` and `npm run bench`. Plain Node: it runs before the build.
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');

const log = (msg) => process.stderr.write(`[services] ${msg}\n`);

function answers(host, port, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function waitFor(host, port, seconds) {
  for (let i = 0; i < seconds * 4; i++) {
    if (await answers(host, port)) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const isLocal = (host) => ['127.0.0.1', 'localhost', '::1'].includes(host);
const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

function aptInstall(pkg) {
  if (!isRoot() || !has('apt-get')) return false;
  log(`installing ${pkg} with apt-get…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  return spawnSync('apt-get', ['install', '-y', '-qq', pkg], { stdio: 'inherit', env }).status === 0;
}

/** A command-line tool the tests use (7z): installed with apt-get when missing and we may. */
function ensureTool(command, pkg) {
  if (has(command) || aptInstall(pkg)) return true;
  log(`${command} is missing and cannot be installed here (apt-get install ${pkg}); the tests that use it will fail`);
  return false;
}

/**
 * A Debian package the tests drive by its own path (Debian's awscli, not a
 * pip or pyenv `aws` earlier on PATH): installed when `present()` says no.
 */
function ensurePackage(present, pkg, what) {
  if (present() || (aptInstall(pkg) && present())) return true;
  log(`${what} is missing and cannot be installed here (apt-get install ${pkg}); the tests that use it will fail`);
  return false;
}

function startPostgresCluster() {
  if (!fs.existsSync('/etc/postgresql')) return false;
  for (const version of fs.readdirSync('/etc/postgresql')) {
    log(`starting PostgreSQL ${version}…`);
    spawnSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start'], { stdio: 'inherit' });
  }
  return true;
}

async function ensurePostgres(databaseUrl) {
  const url = new URL(databaseUrl);
  const host = url.hostname;
  const port = Number(url.port || 5432);
  if (await answers(host, port)) return;
  if (!isLocal(host)) throw new Error(`PostgreSQL at ${host}:${port} does not answer (DATABASE_URL)`);
  if (!has('pg_ctlcluster') && !aptInstall('postgresql')) {
    throw new Error('PostgreSQL is not running and not installed: install it (apt-get install postgresql) or set DATABASE_URL');
  }
  startPostgresCluster();
  if (!(await waitFor(host, port, 30))) throw new Error(`PostgreSQL did not start on ${host}:${port}; check its log under /var/log/postgresql`);
}

async function ensureRedis(redisUrl) {
  const url = new URL(redisUrl);
  const host = url.hostname;
  const port = Number(url.port || 6379);
  if (await answers(host, port)) return;
  if (!isLocal(host)) throw new Error(`Redis at ${host}:${port} does not answer (REDIS_URL)`);
  if (!has('redis-server') && !aptInstall('redis-server')) {
    throw new Error('Redis is not running and not installed: install it (apt-get install redis-server) or set REDIS_URL');
  }
  log(`starting redis-server on port ${port}…`);
  execFileSync('redis-server', ['--daemonize', 'yes', '--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no']);
  if (!(await waitFor(host, port, 15))) throw new Error(`redis-server did not start on port ${port}`);
}

/** Fails with a clear message when a port the stack needs is taken. */
async function ensurePortFree(port, variable) {
  if (await answers('127.0.0.1', port)) {
    throw new Error(`port ${port} is already in use (another botport running?); stop it or set ${variable}`);
  }
}

/** Runs `work(client, name)` on the server's `postgres` database, for the database named in the URL. */
async function withAdminClient(databaseUrl, work) {
  const { Client } = require('pg');
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  url.pathname = '/postgres';
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  try {
    return await work(client, `"${name.replace(/"/g, '""')}"`, name);
  } finally {
    await client.end();
  }
}

/** Creates the database named in the URL when it is missing. */
function ensureDatabase(databaseUrl) {
  return withAdminClient(databaseUrl, async (client, quoted, name) => {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await client.query(`CREATE DATABASE ${quoted}`);
  });
}

function dropDatabase(databaseUrl) {
  return withAdminClient(databaseUrl, (client, quoted) => client.query(`DROP DATABASE IF EXISTS ${quoted} WITH (FORCE)`));
}

/**
 * Creates the database named in `databaseUrl` as a copy of `templateUrl`'s
 * (migrated once, copied in milliseconds). Two copies of one template at the
 * same instant can collide ("being accessed by other users"): tried again.
 */
async function cloneDatabase(templateUrl, databaseUrl) {
  const template = decodeURIComponent(new URL(templateUrl).pathname.slice(1));
  for (let attempt = 1; ; attempt++) {
    try {
      return await withAdminClient(databaseUrl, (client, quoted) => client.query(`CREATE DATABASE ${quoted} TEMPLATE "${template.replace(/"/g, '""')}"`));
    } catch (err) {
      if (attempt >= 20 || !/being accessed by other users/.test(err.message)) throw err;
      await new Promise((r) => setTimeout(r, 50 * attempt));
    }
  }
}

/** Drops every database whose name starts with `prefix` (a test run's, with its per-file copies). */
function dropDatabasesLike(databaseUrl, prefix) {
  return withAdminClient(databaseUrl, async (client) => {
    const { rows } = await client.query('SELECT datname FROM pg_database WHERE starts_with(datname, $1) ORDER BY datname DESC', [prefix]);
    for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS "${datname.replace(/"/g, '""')}" WITH (FORCE)`);
  });
}

/** Deletes every Redis key under `prefix` (a test or bench run's queues and throttles). */
async function deleteRedisKeys(redisUrl, prefix) {
  const IORedis = require('ioredis');
  const redis = new IORedis(redisUrl);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/**
 * Runs s3rver (a local S3 API) in this process with its data under `directory`.
 * It does not check signatures; credentials S3RVER/S3RVER are what it expects.
 */
async function startS3(directory, port, buckets) {
  const S3rver = require('s3rver');
  fs.mkdirSync(directory, { recursive: true });
  const server = new S3rver({
    address: '127.0.0.1',
    port,
    directory,
    silent: true,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  const address = await server.run();
  return { server, port: address.port, endpoint: `http://127.0.0.1:${address.port}` };
}

/** Environment for talking to the local S3 server. */
function s3Env(endpoint, bucket) {
  return {
    S3_ENDPOINT: endpoint,
    S3_BUCKET: bucket,
    S3_REGION: 'us-east-1',
    S3_FORCE_PATH_STYLE: 'true',
    S3_CHECKSUM_MODE: 'WHEN_REQUIRED',
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
  };
}

/** Installs dependencies on a fresh clone (npm ci from the committed lock file). */
function ensureDependencies(root) {
  if (fs.existsSync(path.join(root, 'node_modules', '.package-lock.json'))) return;
  log('installing dependencies (npm ci)…');
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('npm ci failed');
}

function build(root) {
  const r = spawnSync('npx', ['tsc', '-b', 'api', 'worker', 'cli', 'api/console'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('the TypeScript build failed');
}

module.exports = {
  ensureTool,
  ensurePackage,
  deleteRedisKeys,
  ensurePortFree,
  ensurePostgres,
  ensureRedis,
  ensureDatabase,
  dropDatabase,
  cloneDatabase,
  dropDatabasesLike,
  startS3,
  s3Env,
  ensureDependencies,
  build,
  log,
};

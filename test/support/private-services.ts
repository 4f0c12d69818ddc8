import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * Servers of a fault test's own, so it can stop, restart and empty them
 * without touching the machine's (or another test's): Redis, an S3 server in
 * a child process, a PostgreSQL cluster. Each `stop()` is a hard kill.
 */

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, timeoutMs = 20000): Promise<void> {
  const start = Date.now();
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() - start > timeoutMs) throw new Error(`nothing listens on port ${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function kill(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

export interface PrivateServer {
  url: string;
  port: number;
  /** Starts again on the same port (Redis: empty, as a restart without persistence leaves it). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function privateRedis(extraArgs: string[] = []): Promise<PrivateServer> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const server: PrivateServer = {
    url: `redis://127.0.0.1:${port}`,
    port,
    async start() {
      child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...extraArgs], { stdio: 'ignore' });
      await waitForPort(port);
    },
    stop: () => kill(child),
  };
  await server.start();
  return server;
}

/** An S3 server (s3rver) in a child process, its data kept on disk across stops. */
export async function privateS3(bucket: string): Promise<PrivateServer & { env: Record<string, string> }> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'botport-fault-s3-'));
  const services = path.resolve(__dirname, '../../infra/local/services.js');
  let child: ChildProcess | undefined;
  const script = `require(${JSON.stringify(services)}).startS3(${JSON.stringify(dir)}, ${port}, [${JSON.stringify(bucket)}])`;
  const server = {
    url: `http://127.0.0.1:${port}`,
    port,
    env: { S3_ENDPOINT: `http://127.0.0.1:${port}`, S3_BUCKET: bucket },
    async start() {
      child = spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
      await waitForPort(port);
    },
    stop: () => kill(child),
  };
  await server.start();
  return server;
}

const PG_BIN = () => {
  const base = '/usr/lib/postgresql';
  const version = fs.existsSync(base) ? fs.readdirSync(base).sort().pop() : undefined;
  return version ? path.join(base, version, 'bin') : undefined;
};

/** Whether this machine can run a private PostgreSQL (its binaries, and root to run them as postgres). */
export function canRunPrivatePostgres(): boolean {
  return !!PG_BIN() && process.getuid?.() === 0 && spawnSync('id', ['postgres'], { stdio: 'ignore' }).status === 0;
}

/** A PostgreSQL cluster of the test's own, run as the postgres user, trust auth on loopback. */
export async function privatePostgres(): Promise<PrivateServer & { cleanup(): void }> {
  const bin = PG_BIN() as string;
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'botport-fault-pg-'));
  spawnSync('chown', ['postgres', dir]);
  const asPostgres = (cmd: string, args: string[]) => spawnSync('runuser', ['-u', 'postgres', '--', path.join(bin, cmd), ...args], { encoding: 'utf8' });
  const init = asPostgres('initdb', ['-D', path.join(dir, 'data'), '-A', 'trust', '-U', 'postgres']);
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  const server = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    async start() {
      const r = asPostgres('pg_ctl', [
        '-D',
        path.join(dir, 'data'),
        '-l',
        path.join(dir, 'log'),
        '-o',
        `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`,
        '-w',
        'start',
      ]);
      if (r.status !== 0) throw new Error(`pg_ctl start failed: ${r.stderr}`);
    },
    async stop() {
      asPostgres('pg_ctl', ['-D', path.join(dir, 'data'), '-m', 'immediate', 'stop']);
    },
    cleanup() {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
}

/** A three-node Redis Cluster on loopback (no replicas), made with `redis-cli --cluster create`. */
export async function privateRedisCluster(): Promise<{ url: string; stop(): Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'botport-fault-cluster-'));
  const ports = [await freePort(), await freePort(), await freePort()];
  const nodes = ports.map((port) =>
    spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        `nodes-${port}.conf`,
        '--save',
        '',
        '--appendonly',
        'no',
      ],
      {
        cwd: dir,
        stdio: 'ignore',
      },
    ),
  );
  await Promise.all(ports.map((p) => waitForPort(p)));
  const create = spawnSync('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'], {
    encoding: 'utf8',
  });
  if (create.status !== 0) throw new Error(`redis-cli --cluster create failed: ${create.stdout}${create.stderr}`);
  for (let i = 0; spawnSync('redis-cli', ['-p', String(ports[0]), 'cluster', 'info'], { encoding: 'utf8' }).stdout.indexOf('cluster_state:ok') < 0; i++) {
    if (i > 100) throw new Error('the cluster never reached cluster_state:ok');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url: `redis://127.0.0.1:${ports[0]}`,
    async stop() {
      await Promise.all(nodes.map((n) => kill(n)));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

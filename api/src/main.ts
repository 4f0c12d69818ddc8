import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import {
  BotService,
  CachedCredentials,
  ChangeFeed,
  closeCoreContext,
  createCoreContext,
  CredentialStore,
  ExportService,
  ImportService,
  IntegrationTokens,
  JobQueues,
  loadConfigOrExit,
  migrate,
  secretsKey,
  TokenVerifier,
} from '@botport/shared';
import { createServer } from './app';
import type { ApiContext } from './context';

export function createContext(config: ApiContext['config']): ApiContext {
  const core = createCoreContext(config, 'api');
  const queues = new JobQueues(config);
  const secret = secretsKey(config);
  const changes = new ChangeFeed(config.DATABASE_URL, core.logger).start();
  const exports = new ExportService({ ...core, queues, limits: config, secret, changes });
  const imports = new ImportService({ ...core, queues, limits: config, secret, changes });
  const credentials = new CredentialStore(core.db, core.secrets);
  const credentialLookup = new CachedCredentials(credentials);
  // This replica forgets at once what it rotated or revoked; the others when the feed says so (or the cache's second runs out).
  credentials.onChange((id) => credentialLookup.invalidate(id));
  changes.subscribe((c) => (c === 'reset' ? credentialLookup.invalidate() : c.table === 'api_credentials' && credentialLookup.invalidate(c.id)));
  const integrationTokens = new IntegrationTokens(secret, credentialLookup);
  const tokens = new TokenVerifier(config);
  return { ...core, queues, changes, tokens, exports, imports, botService: new BotService(core), credentials, credentialLookup, integrationTokens };
}

export async function closeContext(ctx: ApiContext): Promise<void> {
  await Promise.all([ctx.queues.close(), ctx.changes.close()]);
  await closeCoreContext(ctx);
}

/** Stops accepting connections, lets in-flight requests finish, then closes idle ones. */
function shutdown(server: Server, ctx: ApiContext) {
  let stopping = false;
  return async (signal: string) => {
    if (stopping) return;
    stopping = true;
    ctx.logger.info({ signal }, 'shutting down');
    server.closeIdleConnections();
    const forced = setTimeout(() => server.closeAllConnections(), ctx.config.SHUTDOWN_GRACE_MS).unref();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    clearTimeout(forced);
    await closeContext(ctx);
    ctx.logger.info('stopped');
    process.exit(0);
  };
}

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const ctx = createContext(config);
  await migrate(ctx.db);
  const server = createServer(ctx).listen(config.PORT, () => {
    // The port actually bound (PORT=0 picks a free one).
    ctx.logger.info({ port: (server.address() as AddressInfo).port }, 'api listening');
  });
  const stop = shutdown(server, ctx);
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`api failed to start: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  });
}

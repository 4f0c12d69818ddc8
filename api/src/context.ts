import type {
  BotService,
  ChangeFeed,
  CoreContext,
  CredentialLookup,
  CredentialStore,
  ExportService,
  ImportService,
  IntegrationTokens,
  JobQueues,
  TokenVerifier,
} from '@botport/shared';

/** Everything a request handler may touch, built once at start. */
export interface ApiContext extends CoreContext {
  queues: JobQueues;
  /** Changes to job records and credentials, from any replica or worker: what keeps this process's caches coherent. */
  changes: ChangeFeed;
  /** Verifies botport's bearer JWTs, each once until it expires. */
  tokens: TokenVerifier;
  /** Bots as a caller may see and change them (tenant, bot token). */
  botService: BotService;
  exports: ExportService;
  imports: ImportService;
  /** API credentials: managed through /v1/credentials, signed in with on each platform's surface. */
  credentials: CredentialStore;
  /** Sign-ins read credentials through this per-process cache (one second at most). */
  credentialLookup: CredentialLookup;
  /** Xenioo's /authorization/integration tokens. */
  integrationTokens: IntegrationTokens;
}

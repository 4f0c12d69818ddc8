import type { BotService, CoreContext, CredentialLookup, CredentialStore, ExportService, ImportService, IntegrationTokens, JobQueues } from '@botport/shared';

/** Everything a request handler may touch, built once at start. */
export interface ApiContext extends CoreContext {
  queues: JobQueues;
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

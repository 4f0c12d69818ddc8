import type { Pool } from 'pg';
import { SCOPES, type Principal } from '../auth/tokens';
import { type CredentialStore, DEFAULT_CREDENTIAL_SCOPES, type IssuedCredential } from '../credentials/credential-store';
import { inTransaction } from '../store/db';
import type { BotStore } from './bot-store';
import type { DefinitionDocument } from './definition';
import { importIntoDraft } from './draft-import';

/**
 * Xenioo's restore: a brand-new bot from a backup (named as the backup names
 * it, made unique) and a new key limited to it, in one transaction, so there
 * is never a bot without its key or a key without its bot. The key holds the
 * restoring caller's tenant scopes (all but `admin` when it had `admin`).
 */
export async function restoreAsNewBot(
  db: Pool,
  bots: BotStore,
  credentials: CredentialStore,
  principal: Principal,
  doc: DefinitionDocument,
): Promise<{ botId: string; botName: string; credential: IssuedCredential }> {
  const source = { bot: { name: doc.bot.name, description: doc.bot.description ?? '' }, components: doc.components };
  const held = principal.scopes.has('admin') ? DEFAULT_CREDENTIAL_SCOPES : SCOPES.filter((s) => s !== 'admin' && principal.scopes.has(s));
  return inTransaction(db, async (client) => {
    const outcome = await importIntoDraft(client, bots, principal.tenantId, { kind: 'new' }, 'Replace', source);
    const credential = await credentials.createIn(
      client,
      principal.tenantId,
      { name: `bot key of ${outcome.botName}`.slice(0, 100), scopes: [...held], botId: outcome.botId },
      principal.subject,
    );
    return { botId: outcome.botId, botName: outcome.botName, credential };
  });
}

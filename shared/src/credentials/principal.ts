import type { Principal } from '../auth/tokens';
import type { ActiveCredential } from './credential-store';

/** The caller a credential signs in as: its tenant, its scopes, its bot; the credential id is the subject jobs record. */
export function credentialPrincipal(credential: ActiveCredential, expiresAt: Date): Principal {
  return {
    subject: credential.credentialId,
    tenantId: credential.tenantId,
    scopes: new Set(credential.scopes),
    ...(credential.botId && { botId: credential.botId }),
    expiresAt,
    credentialId: credential.credentialId,
  };
}

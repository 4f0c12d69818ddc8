import type { ActiveCredential } from './credential-store';

/**
 * How sign-ins find a credential. One small interface, so the process-wide
 * cache can later be invalidated from a change feed (LISTEN/NOTIFY) as well
 * as by its own expiry.
 */
export interface CredentialLookup {
  /** The active credential, or undefined when unknown or revoked. */
  find(credentialId: string): Promise<ActiveCredential | undefined>;
  /** Forgets one credential (or all): the next sign-in reads the store again. */
  invalidate(credentialId?: string): void;
}

interface Entry {
  at: number;
  value: Promise<ActiveCredential | undefined>;
}

/** The longest a revoked or rotated credential can still sign in on a replica that did not revoke it. */
export const CREDENTIAL_CACHE_MS = 1000;
const MAX_ENTRIES = 10_000;

/**
 * Per-process cache of credential lookups, each kept at most one second:
 * status polling signs every request, and one query per request would cost
 * more than the signature check. A revocation on any replica is therefore
 * seen by every replica within a second by construction, with no channel
 * between them. Unknown ids are cached too (a flood of made-up keys costs one
 * query per id per second); concurrent lookups of one id share one query.
 */
export class CachedCredentials implements CredentialLookup {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly store: { findActive(credentialId: string): Promise<ActiveCredential | undefined> },
    private readonly ttlMs = CREDENTIAL_CACHE_MS,
    private readonly now: () => number = Date.now,
  ) {}

  find(credentialId: string): Promise<ActiveCredential | undefined> {
    const at = this.now();
    const hit = this.entries.get(credentialId);
    if (hit && at - hit.at < this.ttlMs) return hit.value;
    const value = this.store.findActive(credentialId);
    // A failed lookup (the database away) is not remembered.
    value.catch(() => this.entries.get(credentialId)?.value === value && this.entries.delete(credentialId));
    this.entries.delete(credentialId);
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(credentialId, { at, value });
    return value;
  }

  invalidate(credentialId?: string): void {
    if (credentialId === undefined) this.entries.clear();
    else this.entries.delete(credentialId);
  }
}

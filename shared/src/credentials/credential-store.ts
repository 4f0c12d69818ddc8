import { randomBytes, randomInt } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { ConflictError, NotFoundError, ValidationError } from '../errors';
import { SCOPES } from '../auth/tokens';
import { textProblem } from '../input/input-guard';
import { ID_PATTERN } from '../ids';
import type { SealedSecrets } from '../secrets/sealed-secrets';
import { inTransaction } from '../store/db';

/** A credential as its tenant sees it: never the secret. */
export interface Credential {
  credentialId: string;
  name: string;
  scopes: string[];
  /** Set when the credential acts on this one bot only (Xenioo's bot keys). */
  botId?: string;
  status: 'Active' | 'Revoked';
  createdBy: string;
  createdAt: string;
  rotatedAt?: string;
  revokedAt?: string;
}

/** What create and rotate answer, once: the secret in clear. */
export interface IssuedCredential extends Credential {
  secret: string;
}

/** What a sign-in needs. The secret is in clear: it never leaves the process. */
export interface ActiveCredential {
  credentialId: string;
  tenantId: string;
  scopes: string[];
  botId?: string;
  secret: string;
  /** Bumped by each rotation, so tokens minted under an older secret are refused. */
  secretVersion: number;
}

export interface CredentialInput {
  name: string;
  scopes?: string[];
  botId?: string;
}

interface CredentialRow {
  credential_id: string;
  tenant_id: string;
  name: string;
  scopes: string[];
  bot_id: string | null;
  sealed_secret: string;
  secret_version: number;
  created_by: string;
  created_at: Date;
  rotated_at: Date | null;
  revoked_at: Date | null;
}

/** Shaped like an AWS access key id (20 characters, upper case): the AWS CLI and SDKs take it as one. */
export const CREDENTIAL_ID_PATTERN = /^BP[0-9A-Z]{18}$/;
const ID_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
/** A tenant's scopes but its `admin`: what a credential holds unless told otherwise. */
export const DEFAULT_CREDENTIAL_SCOPES = SCOPES.filter((s) => s !== 'admin');

const COLUMNS = 'credential_id, tenant_id, name, scopes, bot_id, sealed_secret, secret_version, created_by, created_at, rotated_at, revoked_at';

function newCredentialId(): string {
  let id = 'BP';
  for (let i = 0; i < 18; i++) id += ID_ALPHABET[randomInt(ID_ALPHABET.length)];
  return id;
}

/** 40 characters, as an AWS secret access key; base64url, so no character needs quoting anywhere. */
const newSecret = () => randomBytes(30).toString('base64url');

const toCredential = (r: CredentialRow): Credential => ({
  credentialId: r.credential_id,
  name: r.name,
  scopes: r.scopes,
  ...(r.bot_id && { botId: r.bot_id }),
  status: r.revoked_at ? 'Revoked' : 'Active',
  createdBy: r.created_by,
  createdAt: r.created_at.toISOString(),
  ...(r.rotated_at && { rotatedAt: r.rotated_at.toISOString() }),
  ...(r.revoked_at && { revokedAt: r.revoked_at.toISOString() }),
});

function checkInput(input: CredentialInput): { name: string; scopes: string[]; botId?: string } {
  const name = input.name.trim();
  if (!name || name.length > 100 || textProblem(name)) throw new ValidationError('name must be 1 to 100 printable characters');
  const scopes = [...new Set(input.scopes ?? DEFAULT_CREDENTIAL_SCOPES)];
  if (!scopes.length) throw new ValidationError('a credential needs at least one scope');
  const unknown = scopes.filter((s) => !(SCOPES as readonly string[]).includes(s));
  // The operator's scope is never a tenant's to hand out.
  if (unknown.length) throw new ValidationError(`unknown scope(s) ${unknown.join(', ')}; a credential may hold ${SCOPES.join(', ')}`);
  if (input.botId !== undefined && !ID_PATTERN.test(input.botId)) throw new ValidationError('botId must be a 10-character bot id');
  return { name, scopes, botId: input.botId };
}

/**
 * API credentials. Every tenant-facing method is scoped by the tenant taken
 * from the caller's token; only `findActive` is not, since a sign-in learns
 * the tenant from the credential it names (ids are unique across tenants).
 */
export class CredentialStore {
  private readonly listeners: ((credentialId: string) => void)[] = [];

  constructor(
    private readonly db: Pool,
    private readonly secrets: SealedSecrets,
  ) {}

  /** Called after a rotation or revocation commits: the hook a cache of sign-ins is invalidated by. */
  onChange(listener: (credentialId: string) => void): void {
    this.listeners.push(listener);
  }

  async create(tenantId: string, input: CredentialInput, createdBy: string): Promise<IssuedCredential> {
    return inTransaction(this.db, (client) => this.createIn(client, tenantId, input, createdBy));
  }

  /** Inside the caller's transaction (Xenioo's restore makes a bot and its key together). */
  async createIn(client: PoolClient, tenantId: string, input: CredentialInput, createdBy: string): Promise<IssuedCredential> {
    const { name, scopes, botId } = checkInput(input);
    if (botId) {
      const { rowCount } = await client.query('SELECT 1 FROM bots WHERE tenant_id = $1 AND bot_id = $2', [tenantId, botId]);
      if (!rowCount) throw new NotFoundError(`bot ${botId} was not found`);
    }
    const secret = newSecret();
    const { rows } = await client.query<CredentialRow>(
      `INSERT INTO api_credentials (credential_id, tenant_id, name, scopes, bot_id, sealed_secret, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
      [newCredentialId(), tenantId, name, scopes, botId ?? null, this.secrets.seal(secret), createdBy],
    );
    return { ...toCredential(rows[0]), secret };
  }

  /** Newest first; the cursor is the last credential seen. */
  async list(tenantId: string, limit: number, cursor?: string): Promise<{ credentials: Credential[]; nextCursor?: string }> {
    if (cursor !== undefined && !CREDENTIAL_ID_PATTERN.test(cursor)) throw new ValidationError('cursor is not a cursor this listing gave out');
    const { rows } = await this.db.query<CredentialRow>(
      `SELECT ${COLUMNS} FROM api_credentials c
        WHERE tenant_id = $1
          AND ($2::text IS NULL OR (created_at, credential_id) <
               (SELECT created_at, credential_id FROM api_credentials WHERE tenant_id = $1 AND credential_id = $2))
        ORDER BY created_at DESC, credential_id DESC LIMIT $3`,
      [tenantId, cursor ?? null, limit + 1],
    );
    const page = rows.slice(0, limit).map(toCredential);
    return { credentials: page, nextCursor: rows.length > limit ? page[page.length - 1].credentialId : undefined };
  }

  async get(tenantId: string, credentialId: string): Promise<Credential> {
    return toCredential(await this.row(this.db, tenantId, credentialId));
  }

  /** A new secret; the old one stops working at once (on other replicas within their cache's second). */
  async rotate(tenantId: string, credentialId: string): Promise<IssuedCredential> {
    const secret = newSecret();
    const rows = await inTransaction(this.db, async (client) => {
      const row = await this.row(client, tenantId, credentialId, true);
      if (row.revoked_at) throw new ConflictError(`credential ${credentialId} is revoked; create a new one`);
      return (
        await client.query<CredentialRow>(
          `UPDATE api_credentials SET sealed_secret = $3, secret_version = secret_version + 1, rotated_at = now()
            WHERE tenant_id = $1 AND credential_id = $2 RETURNING ${COLUMNS}`,
          [tenantId, credentialId, this.secrets.seal(secret)],
        )
      ).rows;
    });
    this.changed(credentialId);
    return { ...toCredential(rows[0]), secret };
  }

  /** Revoking twice is harmless; the record stays listed, as revoked. */
  async revoke(tenantId: string, credentialId: string): Promise<Credential> {
    const { rows } = await this.db.query<CredentialRow>(
      `UPDATE api_credentials SET revoked_at = coalesce(revoked_at, now()), sealed_secret = 'revoked'
        WHERE tenant_id = $1 AND credential_id = $2 RETURNING ${COLUMNS}`,
      [tenantId, credentialId],
    );
    if (!rows.length) throw new NotFoundError(`credential ${credentialId} was not found`);
    this.changed(credentialId);
    return toCredential(rows[0]);
  }

  /** A sign-in's lookup: the credential with its secret, or undefined when unknown or revoked. */
  async findActive(credentialId: string): Promise<ActiveCredential | undefined> {
    if (!CREDENTIAL_ID_PATTERN.test(credentialId)) return undefined;
    const { rows } = await this.db.query<CredentialRow>(`SELECT ${COLUMNS} FROM api_credentials WHERE credential_id = $1 AND revoked_at IS NULL`, [
      credentialId,
    ]);
    const r = rows[0];
    if (!r) return undefined;
    return {
      credentialId: r.credential_id,
      tenantId: r.tenant_id,
      scopes: r.scopes,
      ...(r.bot_id && { botId: r.bot_id }),
      secret: this.secrets.unseal(r.sealed_secret, `the secret of credential ${r.credential_id}`),
      secretVersion: r.secret_version,
    };
  }

  private async row(db: Pool | PoolClient, tenantId: string, credentialId: string, forUpdate = false): Promise<CredentialRow> {
    const { rows } = await db.query<CredentialRow>(
      `SELECT ${COLUMNS} FROM api_credentials WHERE tenant_id = $1 AND credential_id = $2${forUpdate ? ' FOR UPDATE' : ''}`,
      [tenantId, credentialId],
    );
    if (!rows.length) throw new NotFoundError(`credential ${credentialId} was not found`);
    return rows[0];
  }

  private changed(credentialId: string): void {
    for (const listener of this.listeners) listener(credentialId);
  }
}

import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { InternalError } from '../errors';

const VERSION = 'v1';

/**
 * Seals short secrets (archive passwords) with AES-256-GCM under a server
 * key, so they can sit in a job record between the api and the worker
 * without being readable there, in a backup of the database, or in a log
 * line that prints a row. The key comes from configuration (SECRETS_KEY).
 */
export class SealedSecrets {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = createHash('sha256').update(`botport-sealed-secrets\u0000${secret}`).digest();
  }

  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, iv, data, cipher.getAuthTag()].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
  }

  /** The secret, or an error (never naming it) when the seal was made under another key or altered. */
  unseal(sealed: string, what?: string): string {
    const [version, iv, data, tag] = sealed.split('.');
    if (version !== VERSION || !iv || !data || !tag) throw new InternalError('a sealed secret is malformed', { permanent: true });
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    try {
      return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      // No retry opens it: the job fails at once, saying why.
      const reason = what
        ? `${what} was sealed under another SECRETS_KEY and cannot be opened`
        : 'the archive password was sealed under another SECRETS_KEY and cannot be opened; start the job again';
      throw new InternalError(reason, { permanent: true });
    }
  }
}

import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Principal } from '../auth/tokens';
import { NotFoundError, UnauthorizedError, ValidationError } from '../errors';
import type { CredentialLookup } from './credential-cache';
import type { ActiveCredential } from './credential-store';
import { credentialPrincipal } from './principal';

/** Xenioo's authorization tokens last "about 60 minutes". */
export const INTEGRATION_TOKEN_MINUTES = 60;
const PREFIX = 'xnt1';

/** What Xenioo's `POST /authorization/integration` carries. */
export interface IntegrationKeys {
  AccountAPIKey?: string;
  BotAPIKey?: string;
  BotAPISecret?: string;
}

interface TokenBody {
  /** The credential the token acts as, and the secret version it was issued under. */
  c: string;
  v: number;
  /** Expiry, epoch seconds. */
  e: number;
}

/**
 * Xenioo's account API key is one string where the other platforms have two:
 * botport's is a tenant-wide credential's id and secret joined by a dot, so
 * the id finds the credential and the secret proves the caller holds it.
 */
export const accountApiKey = (credentialId: string, secret: string) => `${credentialId}.${secret}`;

const equal = (a: string, b: string) => {
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y);
};

/**
 * Xenioo's sign-in exchange: API keys in, a bearer token out. The token is
 * opaque to the client and MACed by the server; it names its credential and
 * that credential's secret version, so revoking or rotating the credential
 * ends its tokens too (within the credential cache's second).
 */
export class IntegrationTokens {
  private readonly key: Buffer;

  constructor(
    serverSecret: string,
    private readonly lookup: CredentialLookup,
  ) {
    this.key = createHash('sha256').update(`botport-integration-token\u0000${serverSecret}`).digest();
  }

  /**
   * `{AccountAPIKey}` gives a tenant-wide token; `{BotAPIKey, BotAPISecret}` (with
   * or without the account key, as Xenioo's docs show it) a token for that bot.
   * Unknown, revoked or mismatched keys are 404, as Xenioo answers an unknown key.
   */
  async issue(keys: IntegrationKeys, now = Date.now()): Promise<{ token: string; expires: number }> {
    const account = keys.AccountAPIKey !== undefined ? await this.account(keys.AccountAPIKey) : undefined;
    const hasBotKeys = keys.BotAPIKey !== undefined || keys.BotAPISecret !== undefined;
    if (!account && !hasBotKeys) throw new ValidationError('send AccountAPIKey, or BotAPIKey and BotAPISecret');
    let holder = account;
    if (hasBotKeys) {
      if (!keys.BotAPIKey || !keys.BotAPISecret) throw new ValidationError('BotAPIKey and BotAPISecret go together');
      const bot = await this.lookup.find(keys.BotAPIKey);
      if (!bot || !equal(bot.secret, keys.BotAPISecret)) throw new NotFoundError('the bot API key was not found, or its secret does not match');
      if (!bot.botId) throw new ValidationError('BotAPIKey names a tenant-wide credential; send it as AccountAPIKey (its id, a dot, its secret)');
      if (account && account.tenantId !== bot.tenantId) throw new NotFoundError('the bot API key was not found in this account');
      holder = bot;
    }
    const body: TokenBody = { c: holder!.credentialId, v: holder!.secretVersion, e: Math.floor(now / 1000) + INTEGRATION_TOKEN_MINUTES * 60 };
    const payload = Buffer.from(JSON.stringify(body)).toString('base64url');
    return { token: `${PREFIX}.${payload}.${this.mac(payload)}`, expires: INTEGRATION_TOKEN_MINUTES };
  }

  /** Whether a bearer token is one of ours (the rest are botport JWTs). */
  static isIntegrationToken(token: string): boolean {
    return token.startsWith(`${PREFIX}.`);
  }

  async verify(token: string, now = Date.now()): Promise<Principal> {
    const [prefix, payload, mac, extra] = token.split('.');
    if (prefix !== PREFIX || !payload || !mac || extra !== undefined || !equal(mac, this.mac(payload))) {
      throw new UnauthorizedError('the authorization token is invalid', 'signature');
    }
    const body = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as TokenBody;
    if (body.e * 1000 <= now)
      throw new UnauthorizedError('the authorization token has expired; request a new one from /authorization/integration', 'signature');
    const credential = await this.lookup.find(body.c);
    if (!credential || credential.secretVersion !== body.v) {
      throw new UnauthorizedError('the API key this token was issued for was revoked or rotated; request a new token', 'unknown-key');
    }
    return credentialPrincipal(credential, new Date(body.e * 1000));
  }

  private async account(key: string): Promise<ActiveCredential> {
    const dot = key.indexOf('.');
    const credential = dot > 0 ? await this.lookup.find(key.slice(0, dot)) : undefined;
    if (!credential || !equal(credential.secret, key.slice(dot + 1))) throw new NotFoundError('the account API key was not found');
    if (credential.botId) throw new ValidationError('AccountAPIKey names a bot credential; send it as BotAPIKey and BotAPISecret');
    return credential;
  }

  private mac(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest('base64url');
  }
}

import { call } from './harness';

/** What POST /v1/credentials answers: the record, the secret (once) and each platform's names for the pair. */
export interface IssuedCredential {
  credentialId: string;
  secret: string;
  scopes: string[];
  botId?: string;
  signIn: {
    aws: { accessKeyId: string; secretAccessKey: string };
    kore: { clientId: string; clientSecret: string };
    xenioo: { AccountAPIKey?: string; BotAPIKey?: string; BotAPISecret?: string };
  };
}

/** Creates a credential through the native surface with an admin bearer token. */
export async function createCredential(
  api: { url: string },
  adminToken: string,
  body: { name?: string; scopes?: string[]; botId?: string } = {},
): Promise<IssuedCredential> {
  const res = await call(api, 'POST', '/v1/credentials', { token: adminToken, body: { name: 'test client', ...body } });
  if (res.status !== 201) throw new Error(`create credential: ${res.status} ${res.text}`);
  return res.body as IssuedCredential;
}

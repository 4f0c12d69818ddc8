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

/** A request signed with AWS SigV4 (service lex) the way the AWS SDK signs it, for probes the SDK has no command for. */
export async function signedCall(
  api: { url: string },
  credential: { accessKeyId: string; secretAccessKey: string },
  method: string,
  path: string,
  body?: unknown,
  options: {
    service?: string;
    region?: string;
    signingDate?: Date;
    /** false: no x-amz-content-sha256 header (as botocore signs), so the body's own hash is in the signature. */
    applyChecksum?: boolean;
    /** Extra headers to sign (x-amz-content-sha256: UNSIGNED-PAYLOAD, say). */
    headers?: Record<string, string>;
    /** Changes the signed request before it is sent (a tampered body, a dropped header). */
    tamper?: (request: { headers: Record<string, string>; body?: string }) => void;
  } = {},
): Promise<{ status: number; headers: Headers; body: any }> {
  const { SignatureV4 } = await import('@smithy/signature-v4');
  const { NodeSha256 } = await import('@botport/shared');
  const url = new URL(api.url + path);
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  const signer = new SignatureV4({
    credentials: credential,
    region: options.region ?? 'us-east-1',
    service: options.service ?? 'lex',
    sha256: NodeSha256,
    applyChecksum: options.applyChecksum,
  });
  const signed = await signer.sign(
    {
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: { host: url.host, ...(payload !== undefined && { 'content-type': 'application/json' }), ...options.headers },
      body: payload,
    },
    { signingDate: options.signingDate },
  );
  const sent = { headers: { ...signed.headers } as Record<string, string>, body: payload };
  options.tamper?.(sent);
  const res = await fetch(url, { method, headers: sent.headers, body: sent.body });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

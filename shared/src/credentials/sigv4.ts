import { createHash, createHmac, type Hash, type Hmac, timingSafeEqual } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { SourceData } from '@smithy/types';
import type { Principal } from '../auth/tokens';
import { UnauthorizedError } from '../errors';
import type { CredentialLookup } from './credential-cache';
import { credentialPrincipal } from './principal';

/** A request as it came off the wire: the path still percent-encoded, the body's exact bytes. */
export interface SignedRequest {
  method: string;
  /** The path as sent, percent-encoding intact (the client signed these bytes). */
  path: string;
  /** The query string as sent, without `?`. */
  query: string;
  headers: Record<string, string | string[] | undefined>;
  body?: Buffer;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';
/** AWS's own window: a signature is good 15 minutes either side of its X-Amz-Date. */
export const SIGV4_CLOCK_SKEW_MS = 15 * 60 * 1000;
const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

export const isSigV4 = (authorization: string | undefined): boolean => !!authorization?.startsWith(`${ALGORITHM} `);

const bytes = (d: SourceData): string | Uint8Array => (typeof d === 'string' || ArrayBuffer.isView(d) ? (d as string | Uint8Array) : new Uint8Array(d));

/** node:crypto behind the SDK's hash interface (an HMAC when given a key), as @smithy/hash-node does; also for signing clients (tests, the bench). */
export class NodeSha256 {
  private readonly hash: Hash | Hmac;
  constructor(key?: SourceData) {
    this.hash = key === undefined ? createHash('sha256') : createHmac('sha256', bytes(key));
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(this.hash.digest());
  }
}

const incomplete = (message: string) => new UnauthorizedError(message, 'incomplete');
const invalid = (message: string) => new UnauthorizedError(message, 'signature');
const MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

interface Authorization {
  credentialId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

/** `AWS4-HMAC-SHA256 Credential=…/date/region/service/aws4_request, SignedHeaders=a;b, Signature=hex`, each part named by AWS when missing. */
function parseAuthorization(header: string): Authorization {
  const parts = new Map<string, string>();
  for (const part of header.slice(ALGORITHM.length).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) parts.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const missing = ['Credential', 'Signature', 'SignedHeaders'].filter((p) => !parts.get(p));
  if (missing.length) throw incomplete(missing.map((p) => `Authorization header requires '${p}' parameter.`).join(' '));
  const scope = parts.get('Credential')!.split('/');
  if (scope.length !== 5 || scope.some((s) => !s)) throw incomplete(`Credential should be scoped to a valid region, not '${scope[2] ?? ''}'. `);
  if (scope[4] !== 'aws4_request') throw incomplete(`Credential should be scoped with a valid terminator: 'aws4_request', not '${scope[4]}'. `);
  const signature = parts.get('Signature')!;
  if (!/^[0-9a-f]{64}$/.test(signature)) throw invalid(MISMATCH);
  return {
    credentialId: scope[0],
    date: scope[1],
    region: scope[2],
    service: scope[3],
    signedHeaders: parts.get('SignedHeaders')!.split(';'),
    signature,
  };
}

function header(headers: SignedRequest['headers'], name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/** `20240102T030405Z` as a Date, or undefined when it is not one. */
function amzDate(value: string | undefined): Date | undefined {
  const m = value ? AMZ_DATE.exec(value) : null;
  if (!m) return undefined;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
  return Number.isNaN(d.getTime()) ? undefined : d;
}

const compact = (d: Date) => d.toISOString().replace(/[-:]|\.\d{3}/g, '');

function checkClock(signedAt: Date, raw: string, now: Date): void {
  const earliest = new Date(now.getTime() - SIGV4_CLOCK_SKEW_MS);
  const latest = new Date(now.getTime() + SIGV4_CLOCK_SKEW_MS);
  if (signedAt < earliest) throw invalid(`Signature expired: ${raw} is now earlier than ${compact(earliest)} (${compact(now)} - 15 min.)`);
  if (signedAt > latest) throw invalid(`Signature not yet current: ${raw} is still later than ${compact(latest)} (${compact(now)} + 15 min.)`);
}

/** The query string as the signer takes it: each name with its decoded value(s). */
function queryOf(raw: string): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(raw)) {
    const had = query[k];
    query[k] = had === undefined ? v : [...(Array.isArray(had) ? had : [had]), v];
  }
  return query;
}

const SIGNERS_KEPT = 1000;
const signers = new Map<string, { secret: string; signer: SignatureV4 }>();

/**
 * One signer per credential, region and service, kept: a signer derives its
 * signing key once a day and keeps it, where a new one per request would
 * derive it (four HMACs) every time. A rotated secret gets a new signer.
 */
function signerFor(credential: { credentialId: string; secret: string }, region: string, service: string): SignatureV4 {
  const id = `${credential.credentialId}/${region}/${service}`;
  const kept = signers.get(id);
  if (kept?.secret === credential.secret) return kept.signer;
  const signer = new SignatureV4({
    credentials: { accessKeyId: credential.credentialId, secretAccessKey: credential.secret },
    region,
    service,
    sha256: NodeSha256,
    applyChecksum: false, // hash only what the client sent: x-amz-content-sha256 when it signed one, else the body
  });
  signers.delete(id);
  if (signers.size >= SIGNERS_KEPT) signers.delete(signers.keys().next().value as string);
  signers.set(id, { secret: credential.secret, signer });
  return signer;
}

/**
 * Verifies an AWS Signature Version 4 request (header form) against the
 * credential its access key id names, for `service` in any region, and
 * answers who signed. The canonical request is rebuilt from exactly the
 * headers the client signed and signed again with @smithy/signature-v4 (the
 * AWS SDK's own implementation); the two signatures are compared in constant
 * time. Each failure carries AWS's own message.
 */
export async function verifySigV4(req: SignedRequest, lookup: CredentialLookup, service: string, now = new Date()): Promise<Principal> {
  const auth = parseAuthorization(header(req.headers, 'authorization') ?? '');
  const rawDate = header(req.headers, 'x-amz-date');
  const signedAt = amzDate(rawDate);
  if (!signedAt || !rawDate) throw incomplete("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  if (!auth.signedHeaders.includes('host')) throw incomplete("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  if (auth.service !== service) throw invalid(`Credential should be scoped to correct service: '${service}'. `);
  if (auth.date !== rawDate.slice(0, 8)) {
    throw invalid(
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${auth.date}' != '${rawDate.slice(0, 8)}', from '${rawDate}'.`,
    );
  }
  checkClock(signedAt, rawDate, now);

  const credential = await lookup.find(auth.credentialId);
  if (!credential) throw new UnauthorizedError('The security token included in the request is invalid.', 'unknown-key');

  const contentSha256 = auth.signedHeaders.includes('x-amz-content-sha256') ? header(req.headers, 'x-amz-content-sha256') : undefined;
  if (contentSha256 !== undefined && contentSha256 !== UNSIGNED_PAYLOAD) {
    const actual = createHash('sha256')
      .update(req.body ?? Buffer.alloc(0))
      .digest('hex');
    if (contentSha256 !== actual) throw invalid("The provided 'x-amz-content-sha256' header does not match what was computed.");
  }

  const headers: Record<string, string> = {};
  for (const name of auth.signedHeaders) {
    const value = header(req.headers, name);
    if (value === undefined) throw invalid(MISMATCH); // signed a header it did not send
    headers[name] = value;
  }
  const signed = await signerFor(credential, auth.region, service).sign(
    { method: req.method, protocol: 'http:', hostname: headers.host, path: req.path, query: queryOf(req.query), headers, body: req.body },
    { signingDate: signedAt, signingRegion: auth.region, signingService: service, signableHeaders: new Set(auth.signedHeaders) },
  );
  const expected = /Signature=([0-9a-f]{64})/.exec(signed.headers.authorization)?.[1] ?? '';
  if (!timingSafeEqual(Buffer.from(expected), Buffer.from(auth.signature))) throw invalid(MISMATCH);
  return credentialPrincipal(credential, new Date(signedAt.getTime() + SIGV4_CLOCK_SKEW_MS));
}

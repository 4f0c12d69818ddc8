import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { formatUrl } from '@aws-sdk/core/util';
import { S3RequestPresigner } from '@aws-sdk/s3-request-presigner';
import { getEndpointFromInstructions } from '@smithy/core/endpoints';
import { extendedEncodeURIComponent, HttpRequest } from '@smithy/core/protocols';

interface Endpoint {
  url: URL;
  presigner: S3RequestPresigner;
  region: string;
  service: string;
}

const URLS_KEPT = 10_000;

/**
 * Download URLs signed the way the SDK's getSignedUrl signs a GetObject,
 * byte for byte (test/unit/download-signer.test.ts holds it to that), without
 * its per-call work: getSignedUrl resolves the endpoint rules, clones and
 * runs the client's middleware stack and builds a new signer (so derives a
 * new signing key) on every call — about half a millisecond, more than the
 * rest of a status read. Here the endpoint is resolved once, one signer
 * keeps its signing key for the day, and the request is built directly.
 *
 * A URL is signed at the current second, as the SDK signs it (X-Amz-Date has
 * no finer grain), so it expires 299–300 s after it is returned; within one
 * second the same object and file name give the same URL, and that URL is
 * handed out again instead of being signed again.
 */
export class DownloadSigner {
  private endpoint?: Promise<Endpoint>;
  private readonly recent = new Map<string, { second: number; url: string }>();

  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    /** Whether the client asks for response checksums (S3_CHECKSUM_MODE=WHEN_SUPPORTED): the SDK then signs x-amz-checksum-mode. */
    private readonly checksums: boolean,
  ) {}

  async sign(key: string, contentDisposition: string, expiresIn: number, now = Date.now()): Promise<string> {
    const second = Math.floor(now / 1000);
    const id = `${key}\u0000${contentDisposition}\u0000${expiresIn}`;
    const kept = this.recent.get(id);
    if (kept?.second === second) return kept.url;

    this.endpoint ??= this.resolveEndpoint().catch((err: unknown) => {
      this.endpoint = undefined; // resolved again next time, not failed for good
      throw err;
    });
    const { url, presigner, region, service } = await this.endpoint;
    const request = new HttpRequest({
      method: 'GET',
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path: `${url.pathname.replace(/\/$/, '')}/${key.split('/').map(extendedEncodeURIComponent).join('/')}`,
      query: { 'x-id': 'GetObject', 'response-content-disposition': contentDisposition },
      headers: this.checksums ? { 'x-amz-checksum-mode': 'ENABLED' } : {},
    });
    const signed = await presigner.presign(request, { expiresIn, signingDate: new Date(second * 1000), signingRegion: region, signingService: service });
    const out = formatUrl(signed);
    this.recent.delete(id);
    if (this.recent.size >= URLS_KEPT) this.recent.delete(this.recent.keys().next().value as string);
    this.recent.set(id, { second, url: out });
    return out;
  }

  /** What getSignedUrl resolves on every call: the bucket's endpoint and its signing region and name. */
  private async resolveEndpoint(): Promise<Endpoint> {
    const config = this.client.config;
    const input = { Bucket: this.bucket, Key: 'k' };
    const resolved = await getEndpointFromInstructions(input, GetObjectCommand, config);
    const scheme = resolved.properties?.authSchemes?.[0] as { signingRegion?: string; signingName?: string } | undefined;
    const region = scheme?.signingRegion ?? (await config.region());
    const service = scheme?.signingName ?? 's3';
    const presigner = new S3RequestPresigner({ ...config, signingName: service, region: () => Promise.resolve(region) });
    return { url: new URL(resolved.url.href), presigner, region, service };
  }
}

import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { DownloadSigner } from '../../shared/src/storage/download-signer';
import { downloadDisposition } from '../../shared/src/storage/s3';
import { mintToken, TokenVerifier } from '../../shared/src/auth/tokens';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };

const endpoints = [
  {
    name: 'path-style, custom endpoint (the local S3 server, MinIO)',
    bucket: 'botport-test',
    options: { endpoint: 'http://127.0.0.1:9000', forcePathStyle: true },
  },
  { name: 'virtual-host, custom endpoint', bucket: 'botport', options: { endpoint: 'https://s3.example.com', forcePathStyle: false } },
  { name: 'virtual-host, AWS', bucket: 'botport-archives', options: { region: 'eu-west-1' } },
  { name: 'AWS, a dotted bucket (path-style by the rules)', bucket: 'archives.botport.example', options: {} },
];
const keys = ['exports/acme/AbCdE12345/RunId00001.zip', 'exports/tenant%20a%2Bb/AbCdE12345/r.zip', 'exports/é ü/x y+z!(1)*.zip'];
const fileNames = ['PizzaBot-1-AbCdE12345-LexJson.zip', 'Pizza "Bot"\\\r\n-DRAFT-AbCdE12345-BotportJson.zip', 'Café Bot-2-AbCdE12345-KoreJson.zip'];

describe('download URLs', () => {
  for (const mode of ['WHEN_SUPPORTED', 'WHEN_REQUIRED'] as const) {
    for (const e of endpoints) {
      test(`byte-identical to the SDK's getSignedUrl: ${e.name}, checksums ${mode}`, async () => {
        const client = new S3Client({ region: 'us-east-1', credentials, requestChecksumCalculation: mode, responseChecksumValidation: mode, ...e.options });
        const signer = new DownloadSigner(client, e.bucket, mode === 'WHEN_SUPPORTED');
        for (const [i, key] of keys.entries()) {
          const now = Date.UTC(2026, 11, 1, 23, 59, 59, 999) + i * 86_400_000; // the last millisecond of a day, and days apart
          const disposition = downloadDisposition(fileNames[i]);
          const ours = await signer.sign(key, disposition, 300, now);
          const command = new GetObjectCommand({ Bucket: e.bucket, Key: key, ResponseContentDisposition: disposition });
          const sdks = await getSignedUrl(client, command, { expiresIn: 300, signingDate: new Date(Math.floor(now / 1000) * 1000) });
          expect(ours).toBe(sdks);
          expect(new URL(ours).searchParams.get('X-Amz-Expires')).toBe('300');
        }
        client.destroy();
      });
    }
  }

  test('signed at the current second: the same URL within it, a new one the next', async () => {
    const client = new S3Client({ region: 'us-east-1', credentials, ...endpoints[0].options });
    const signer = new DownloadSigner(client, 'b', true);
    const at = Date.UTC(2026, 11, 1, 12, 0, 0);
    const first = await signer.sign('k.zip', downloadDisposition('a.zip'), 300, at + 10);
    expect(await signer.sign('k.zip', downloadDisposition('a.zip'), 300, at + 990)).toBe(first);
    expect(new URL(first).searchParams.get('X-Amz-Date')).toBe('20261201T120000Z');
    const next = await signer.sign('k.zip', downloadDisposition('a.zip'), 300, at + 1000);
    expect(new URL(next).searchParams.get('X-Amz-Date')).toBe('20261201T120001Z');
    expect(await signer.sign('k.zip', downloadDisposition('b.zip'), 300, at + 1000)).not.toBe(next);
    client.destroy();
  });
});

describe('verified tokens', () => {
  const settings = { JWT_SECRET: 's3cret-for-tests', JWT_ALGORITHMS: ['HS256'] };

  test('kept until they expire (with the 30 s tolerance), then refused as expired', () => {
    let now = Date.now();
    const verifier = new TokenVerifier(settings, () => now);
    const token = mintToken(settings.JWT_SECRET, { sub: 'u', tenant: 't' }, { expiresInSeconds: 60 });
    const principal = verifier.verify(token);
    expect(principal.tenantId).toBe('t');
    expect(verifier.verify(token)).toBe(principal); // the same verification, not a second one
    now = principal.expiresAt.getTime() + 29_000;
    expect(verifier.verify(token)).toBe(principal);
    now = principal.expiresAt.getTime() + 31_000;
    // Past the tolerance the cache lets go and the verification itself decides (real clock: still valid now).
    expect(verifier.verify(token)).not.toBe(principal);
  });

  test('a refused token is refused every time, and a forged one never borrows a cached verification', () => {
    const verifier = new TokenVerifier(settings);
    const token = mintToken(settings.JWT_SECRET, { sub: 'u', tenant: 't' }, { expiresInSeconds: 60 });
    verifier.verify(token);
    const forged = `${token.slice(0, token.lastIndexOf('.') + 1)}${'A'.repeat(43)}`;
    expect(() => verifier.verify(forged)).toThrow('the token is invalid');
    expect(() => verifier.verify(forged)).toThrow('the token is invalid');
    const expired = mintToken(settings.JWT_SECRET, { sub: 'u', tenant: 't' }, { expiresInSeconds: -60 });
    expect(() => verifier.verify(expired)).toThrow('the token has expired');
  });
});

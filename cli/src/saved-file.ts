import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * Streams a response body to `file` through `{file}.part`, renamed only once
 * complete (and accepted by `check`), so a cut-off transfer never takes the
 * file's name. Returns its size and SHA-256.
 */
export async function saveFile(
  body: ReadableStream<Uint8Array>,
  file: string,
  options: { onBytes?: (received: number) => void; check?: (sha256: string) => void } = {},
): Promise<{ file: string; sizeBytes: number; sha256: string }> {
  const hash = createHash('sha256');
  let sizeBytes = 0;
  const counting = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      sizeBytes += chunk.length;
      options.onBytes?.(sizeBytes);
      done(null, chunk);
    },
  });
  const partial = `${file}.part`;
  try {
    await pipeline(Readable.fromWeb(body as never), counting, fs.createWriteStream(partial));
    const sha256 = hash.digest('hex');
    options.check?.(sha256);
    fs.renameSync(partial, file);
    return { file, sizeBytes, sha256 };
  } finally {
    fs.rmSync(partial, { force: true });
  }
}

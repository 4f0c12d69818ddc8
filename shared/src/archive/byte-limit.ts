import { Transform } from 'node:stream';
import { PayloadTooLargeError } from '../errors';

export function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** Passes bytes through, showing each chunk to `onChunk`, and fails the stream past `limit`. */
export function limitBytes(limit: number, onChunk: (chunk: Buffer) => void = () => undefined): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (seen > limit) return done(new PayloadTooLargeError(`the archive is larger than ${mb(limit)}, the most an import takes`));
      onChunk(chunk);
      done(null, chunk);
    },
  });
}

import { PassThrough } from 'node:stream';
import busboy from 'busboy';
import { type ImportService, mb, PayloadTooLargeError, type Principal, ValidationError } from '@botport/shared';
import type { Request } from 'express';

export interface ReceivedArchive {
  uploadId: string;
  sizeBytes: number;
  sha1: string;
  fileName?: string;
  fields: Record<string, string>;
}

/**
 * A body we stop reading part way leaves unread bytes on the connection,
 * which would be taken for the next request; close it after answering.
 */
function closeConnection(req: Request): void {
  req.unpipe();
  req.res?.setHeader('Connection', 'close');
}

function refuseDeclaredSize(req: Request, limit: number): void {
  const declared = Number(req.headers['content-length']);
  if (declared > limit) throw new PayloadTooLargeError(`the archive is ${mb(declared)}; an import takes at most ${mb(limit)}`);
}

/** An archive sent as the request body (EDDI's import): streamed to S3, never buffered. */
export async function receiveZipBody(imports: ImportService, principal: Principal, req: Request, limit: number): Promise<ReceivedArchive> {
  if (!req.is('application/zip')) throw new ValidationError('send the archive as the body with Content-Type: application/zip');
  refuseDeclaredSize(req, limit);
  try {
    return { ...(await imports.receiveUpload(principal, req)), fields: {} };
  } catch (err) {
    closeConnection(req);
    throw err;
  }
}

/**
 * An archive sent as the `file` part of multipart/form-data (Kore's
 * uploadfile), streamed to S3 as it arrives; the other parts are returned as
 * fields. Exactly one file is taken.
 */
export function receiveMultipartFile(imports: ImportService, principal: Principal, req: Request, limit: number): Promise<ReceivedArchive> {
  if (!req.is('multipart/form-data')) throw new ValidationError('send the file as multipart/form-data with a part named file');
  refuseDeclaredSize(req, limit);
  return new Promise((resolve, fail) => {
    const reject = (err: unknown) => {
      closeConnection(req);
      fail(err);
    };
    const fields: Record<string, string> = {};
    let upload: Promise<{ uploadId: string; sizeBytes: number; sha1: string }> | undefined;
    let fileName: string | undefined;
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { files: 1, fields: 20, fieldSize: 4096 } });
    } catch (err) {
      return reject(new ValidationError(`the multipart body cannot be read: ${(err as Error).message}`));
    }
    parser.on('field', (name, value) => (fields[name] = value));
    parser.on('file', (name, stream, info) => {
      if (name !== 'file' || upload) return stream.resume();
      fileName = info.filename;
      const body = new PassThrough();
      stream.pipe(body);
      upload = imports.receiveUpload(principal, body);
      upload.catch(reject);
    });
    parser.on('error', (err: Error) => reject(new ValidationError(`the multipart body cannot be read: ${err.message}`)));
    parser.on('close', () => {
      if (!upload) return reject(new ValidationError('the request has no part named file'));
      upload.then((received) => resolve({ ...received, fileName, fields }), reject);
    });
    req.pipe(parser);
  });
}

import { call } from './harness';

/** Polls a native job (`/v1/exports/{id}`, `/v1/imports/{id}`…) until `done` holds. */
export async function waitNative(
  api: { url: string },
  bearer: string,
  path: string,
  done = (b: any) => b.status !== 'InProgress',
  timeoutMs = 30000,
): Promise<any> {
  const start = Date.now();
  for (;;) {
    const res = await call(api, 'GET', path, { token: bearer });
    if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}: ${res.text}`);
    if (done(res.body)) return res.body;
    if (Date.now() - start > timeoutMs) throw new Error(`${path} not done after ${timeoutMs} ms: ${res.text}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** POST /v1/imports with the zip as the body and the options in the query; the answer as it came. */
export function postImport(api: { url: string }, bearer: string, zip: Buffer, query: Record<string, string>) {
  return postZip(api, bearer, `/v1/imports?${new URLSearchParams(query)}`, zip);
}

/** POSTs a zip as the body; status and parsed answer. */
export async function postZip(api: { url: string }, bearer: string, path: string, zip: Buffer): Promise<{ status: number; body: any; text: string }> {
  const res = await fetch(api.url + path, { method: 'POST', headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/zip' }, body: zip });
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, body, text };
}

/** A native import to its end: the finished record. */
export async function importNative(api: { url: string }, bearer: string, zip: Buffer, query: Record<string, string>): Promise<any> {
  const started = await postImport(api, bearer, zip, query);
  if (started.status !== 202) throw new Error(`POST /v1/imports: ${started.status} ${started.text}`);
  return waitNative(api, bearer, `/v1/imports/${started.body.importId}`);
}

/** A native export to its end: the finished record (sha256, downloadUrl). */
export async function exportNative(api: { url: string }, bearer: string, body: Record<string, unknown>): Promise<any> {
  const started = await call(api, 'POST', '/v1/exports', { token: bearer, body });
  if (started.status !== 202) throw new Error(`POST /v1/exports: ${started.status} ${started.text}`);
  const done = await waitNative(api, bearer, `/v1/exports/${started.body.exportId}`);
  if (done.status !== 'Completed') throw new Error(`export failed: ${JSON.stringify(done.failureReasons)}`);
  return done;
}

/** The archive behind a finished export's download URL. */
export async function download(url: string): Promise<Buffer> {
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`download: ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}

/**
 * The console's only way to botport: fetch with the signed-in token, and
 * errors turned into sentences. The token lives in sessionStorage, so it
 * leaves with the tab.
 */
const TOKEN_KEY = 'botport.token';

export interface Problem {
  title?: string;
  status?: number;
  detail?: string;
  errors?: { path: string; message: string }[];
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(problem.detail || problem.title || `HTTP ${status}`);
  }
}

export const session = {
  token: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  set: (token: string) => sessionStorage.setItem(TOKEN_KEY, token),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

/** Called when the token stops working: the page goes back to sign-in. */
let onUnauthorized: () => void = () => undefined;
export function whenUnauthorized(handler: () => void): void {
  onUnauthorized = handler;
}

interface CallOptions {
  body?: unknown;
  /** A file goes as it is (application/zip), not as JSON. */
  file?: Blob;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

async function send(method: string, path: string, options: CallOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { authorization: `Bearer ${session.token() ?? ''}`, ...options.headers };
  let body: BodyInit | undefined;
  if (options.file) {
    headers['content-type'] = 'application/zip';
    body = options.file;
  } else if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body, signal: options.signal });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, { detail: 'botport could not be reached. Check your connection and try again.' });
  }
  if (res.ok) return res;
  const problem = (await res.json().catch(() => ({}))) as Problem;
  if (res.status === 401) onUnauthorized();
  throw new ApiError(res.status, problem);
}

export async function call<T>(method: string, path: string, options: CallOptions = {}): Promise<T> {
  const res = await send(method, path, options);
  return (res.status === 204 ? undefined : await res.json()) as T;
}

/** A sentence for a person: what happened and, where it helps, what to do. */
export function explain(err: unknown): string {
  if (!(err instanceof ApiError)) return `Something went wrong in the page: ${(err as Error)?.message ?? err}`;
  const { status, problem } = err;
  const detail = problem.detail ? ` (${problem.detail})` : '';
  const fields = (problem.errors ?? []).map((e) => `• ${e.path.replace(/^\$\.?/, '') || 'request'}: ${e.message}`).join('\n');
  switch (true) {
    case status === 0:
      return err.message;
    case status === 400:
      return `botport could not accept that: ${problem.detail ?? 'the request is not valid'}.${fields ? `\n${fields}` : ''}`;
    case status === 401:
      return 'Your token was not accepted: it may have expired or been mistyped. Sign in again with a valid token.';
    case status === 403:
      return `Your token does not allow this${detail}. Ask for a token with the right scope.`;
    case status === 404:
      return `That no longer exists${detail}. It may have been deleted or expired after seven days.`;
    case status === 409:
      return `That clashes with something already there${detail}.`;
    case status === 413:
      return `That is larger than botport accepts${detail}.`;
    case status === 429:
      return `Too many requests just now${detail}. Wait a moment and try again.`;
    case status === 503:
      return `botport is temporarily unavailable${detail}. Try again in a minute.`;
    default:
      return `botport had a problem on its side${detail}. Try again; if it keeps happening, tell your operator.`;
  }
}

export interface ServerEvent {
  event: string;
  data: unknown;
}

/**
 * Server-sent events read with fetch (EventSource cannot send the bearer
 * token). Yields each event until the server ends the stream.
 */
export async function* serverEvents(path: string, signal: AbortSignal): AsyncGenerator<ServerEvent> {
  const res = await send('GET', path, { headers: { accept: 'text/event-stream' }, signal });
  if (!res.body) throw new ApiError(0, { detail: 'the browser cannot read the event stream' });
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
      }
      if (data.length) yield { event, data: JSON.parse(data.join('\n')) };
    }
  }
}

import { Readable } from 'node:stream';
import { CliError, EXIT } from './exit-codes';

export interface Connection {
  url: string;
  token?: string;
}

interface Problem {
  title?: string;
  detail?: string;
  message?: string;
  errors?: { path: string; message: string }[];
}

/** botport's native and admin API over HTTP, with errors turned into exit codes. */
export class Client {
  constructor(private readonly connection: Connection) {}

  async json<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    const init = body === undefined ? { headers } : { body: JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } };
    const res = await this.send(method, path, init);
    return (res.status === 204 ? undefined : await res.json()) as T;
  }

  /** A file as the body (zip archives, definition documents), streamed. */
  async upload<T>(method: string, path: string, file: Readable, contentType: string, headers: Record<string, string> = {}): Promise<T> {
    const res = await this.send(method, path, {
      body: Readable.toWeb(file) as ReadableStream,
      headers: { 'content-type': contentType, ...headers },
      duplex: 'half',
    });
    return (await res.json()) as T;
  }

  /** The response itself, for streaming a download to a file. */
  async stream(method: string, path: string): Promise<Response> {
    return this.send(method, path, {});
  }

  private async send(method: string, path: string, init: RequestInit & { duplex?: 'half' }): Promise<Response> {
    if (!this.connection.token) throw new CliError('no token: pass --token or set BOTPORT_TOKEN (npm start prints a development token)', EXIT.unauthorized);
    const url = new URL(path, this.connection.url);
    let res: Response;
    try {
      res = await fetch(url, { ...init, method, headers: { authorization: `Bearer ${this.connection.token}`, ...(init.headers as Record<string, string>) } });
    } catch (err) {
      const cause = (err as Error & { cause?: { code?: string; message?: string } }).cause;
      throw new CliError(`botport is not reachable at ${this.connection.url} (${cause?.code ?? cause?.message ?? (err as Error).message})`, EXIT.unavailable);
    }
    if (res.ok) return res;
    throw await failure(res);
  }
}

async function failure(res: Response): Promise<CliError> {
  const problem = (await res.json().catch(() => ({}))) as Problem;
  const detail = problem.detail ?? problem.message ?? problem.title ?? res.statusText;
  const fields = (problem.errors ?? []).map((e) => `\n  ${e.path}: ${e.message}`).join('');
  const message = `${res.status} ${detail}${fields}`;
  if (res.status === 401) return new CliError(`${message} (check --token / BOTPORT_TOKEN)`, EXIT.unauthorized);
  if (res.status >= 500) return new CliError(message, EXIT.unavailable);
  return new CliError(message, EXIT.refused);
}

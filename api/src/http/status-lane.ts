import { hash } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Logger, Principal } from '@botport/shared';
import type { Metrics } from '../surfaces/metrics';
import { hasScope } from './auth';
import { logCompleted } from './request-log';
import { requestId } from './request-id';

/** A status read: what a GET of `path` answers (200, JSON) to a caller holding `scope`, for the id in its one `:param`. */
export interface StatusRead {
  /** The full path as Express routes it, one `:param` segment: also the route's metrics label. */
  path: string;
  /** The surface's own sign-in (api/src/http/auth.ts), the one its router runs. */
  signIn(req: IncomingMessage): Principal | Promise<Principal>;
  scope: string;
  answer(principal: Principal, id: string): Promise<unknown>;
}

/** The weak ETag Express gives a body (the `etag` package's), from a one-shot hash: a third of the cost. */
const weakEtag = (body: string, length: number) => `W/"${length.toString(16)}-${hash('sha1', body, 'base64').slice(0, 27)}"`;

/** Ids as botport makes them (and Kore's `bir-` prefix); anything else is left to Express, which validates it. */
const ID = '([A-Za-z0-9_-]{1,128})';

/**
 * The status reads polling clients make all day, answered before Express:
 * a GET of one of `reads`' exact paths, signed in as its surface signs in
 * (a bearer JWT; on Lex also AWS SigV4, on Kore its app JWT), with no query,
 * body or conditional header, is answered from the per-process caches
 * (token or credential, record, signed URL) as Express would answer it —
 * the same JSON, headers, ETag, request id, metrics and debug line —
 * without the router's dozen layers, which cost more than the read itself.
 * Every other request, and any read that throws (not found, a scope
 * missing, a sign-in refused), goes to `app`, which answers from the start
 * in the surface's own shape.
 */
export function statusLane(
  reads: StatusRead[],
  deps: { logger: Logger; metrics: Pick<Metrics, 'observe' | 'countLane'> },
  app: RequestListener,
): RequestListener {
  const routes = reads.map((r) => ({ ...r, pattern: new RegExp(`^${r.path.replace(/:\w+/, ID)}$`) }));
  const laneable = (req: IncomingMessage) =>
    req.method === 'GET' &&
    (req.headers.authorization || req.headers.auth) &&
    !req.url!.includes('?') &&
    !req.headers['content-length'] &&
    !req.headers['transfer-encoding'] &&
    !req.headers['if-none-match'] &&
    !req.headers['if-modified-since'];

  return (req, res) => {
    if (!laneable(req)) return app(req, res);
    const started = performance.now();
    for (const route of routes) {
      const match = route.pattern.exec(req.url!);
      if (match)
        return void read(route, match[1], req)
          .then(
            (body) => send(route, body, req, res, started),
            () => {
              deps.metrics.countLane('passed');
              app(req, res);
            },
          )
          .catch((err: unknown) => deps.logger.error({ err }, 'the status lane failed after answering')); // never an unhandled rejection
    }
    app(req, res);
  };

  /** The answer's bytes, or a throw (nothing written yet) for Express to answer instead. */
  async function read(route: StatusRead, id: string, req: IncomingMessage): Promise<string> {
    const principal = await route.signIn(req);
    if (!hasScope(principal, route.scope)) throw new Error('out of scope'); // Express answers the 403
    return JSON.stringify(await route.answer(principal, id));
  }

  // A string body, as Express sends one: Node writes it in the same chunk as the headers.
  function send(route: StatusRead, body: string, req: IncomingMessage, res: ServerResponse, started: number) {
    const id = requestId(req, res);
    const length = Buffer.byteLength(body);
    res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': length, ETag: weakEtag(body, length) });
    res.end(body);
    const ms = performance.now() - started;
    deps.metrics.observe('GET', route.path, 200, ms / 1000);
    deps.metrics.countLane('answered');
    if (deps.logger.isLevelEnabled('debug')) logCompleted(deps.logger.child({ req: { id, method: 'GET', url: req.url } }), 200, ms);
  }
}

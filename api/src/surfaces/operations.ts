import { Router } from 'express';
import { z } from 'zod';
import type { ApiContext } from '../context';

export const healthView = z.object({ status: z.literal('ok') });
/** Each dependency: `ok`, or `unavailable: <why>`. */
export const readyView = z.object({ status: z.enum(['ready', 'unavailable']), checks: z.record(z.string(), z.string()) });

const CHECK_TIMEOUT_MS = 2000;

function withTimeout<T>(p: Promise<T>): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error('timed out')), CHECK_TIMEOUT_MS).unref())]);
}

/** Liveness, readiness and the OpenAPI document, unauthenticated, for load balancers, orchestrators and client generators. */
export function operationsRouter(ctx: ApiContext, document: object): Router {
  const r = Router();
  r.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  // The address the start banner prints: a person opening it wants the console.
  r.get('/', (_req, res) => res.redirect(302, '/console/'));
  r.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  r.get('/readyz', async (_req, res) => {
    const checks = {
      postgres: () => ctx.db.query('SELECT 1'),
      redis: () => ctx.redis.ping(),
      s3: () => ctx.storage.ping(),
    };
    const results = await Promise.all(
      Object.entries(checks).map(async ([name, check]) => {
        try {
          await withTimeout<unknown>(check());
          return [name, 'ok'] as const;
        } catch (err) {
          return [name, `unavailable: ${(err as Error).message || (err as Error).name}`] as const;
        }
      }),
    );
    const ready = results.every(([, s]) => s === 'ok');
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unavailable', checks: Object.fromEntries(results) });
  });
  return r;
}

import { timingSafeEqual } from 'node:crypto';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { OPERATOR_SCOPE, type TokenSettings, verifyToken } from '../auth/tokens';

/** A registry of one process's metrics (one per app, so tests can run several), with Node's own. */
export function metricsRegistry(processName: 'api' | 'worker'): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ process: processName });
  collectDefaultMetrics({ register: registry, prefix: 'botport_' });
  return registry;
}

export interface MetricsAccess extends TokenSettings {
  METRICS_TOKEN?: string;
}

/**
 * Metrics count across tenants, so they are the operator's: the bearer is
 * METRICS_TOKEN (what a scraper is given) or a JWT with the operator scope.
 */
export function metricsAllowed(settings: MetricsAccess, authorization: string | undefined): boolean {
  const bearer = /^Bearer\s+(.+)$/i.exec(authorization ?? '')?.[1].trim();
  if (!bearer) return false;
  if (settings.METRICS_TOKEN) {
    const given = Buffer.from(bearer);
    const expected = Buffer.from(settings.METRICS_TOKEN);
    if (given.length === expected.length && timingSafeEqual(given, expected)) return true;
  }
  try {
    return verifyToken(bearer, settings).scopes.has(OPERATOR_SCOPE);
  } catch {
    return false;
  }
}

import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { loadConfig, QUEUES } from '@botport/shared';
import { call, startApi, type TestApi } from '../support/harness';

/**
 * infra/k8s agrees with the code: the probes hit routes that answer as a
 * probe expects, every variable the manifests set is one botport reads and
 * accepts, the worker's grace period outlasts its shutdown, and KEDA watches
 * the lists BullMQ really fills.
 */
const DIR = path.resolve(__dirname, '../../infra/k8s');
const docs = fs
  .readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml'))
  .flatMap((f) => parseAllDocuments(fs.readFileSync(path.join(DIR, f), 'utf8')).map((d) => d.toJS()))
  .filter(Boolean);
const find = (kind: string, name: string) => docs.find((d) => d.kind === kind && d.metadata.name === name);
const container = (name: string) => find('Deployment', name).spec.template.spec.containers[0];

let api: TestApi;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.close());

describe('infra/k8s', () => {
  test('the api probes use /healthz for liveness and /readyz for readiness, and both answer 200 on a healthy api', async () => {
    const c = container('botport-api');
    expect(c.livenessProbe.httpGet.path).toBe('/healthz');
    expect(c.readinessProbe.httpGet.path).toBe('/readyz');
    for (const p of [c.livenessProbe.httpGet.path, c.readinessProbe.httpGet.path]) expect((await call(api, 'GET', p)).status).toBe(200);
    expect(find('HorizontalPodAutoscaler', 'botport-api').spec.scaleTargetRef.name).toBe('botport-api');
  });

  test('the ConfigMap and Secret hold only variables botport reads, with values it accepts', () => {
    const data = { ...find('ConfigMap', 'botport').data, ...find('Secret', 'botport').stringData };
    const secrets = { SECRETS_KEY: 'k'.repeat(40), JWT_PUBLIC_KEY: 'x', NOTIFY_SIGNING_SECRET: 'n'.repeat(40), METRICS_TOKEN: 'm'.repeat(20) };
    const config = loadConfig({ ...data, ...secrets, DATABASE_URL: 'postgres://u@h:5432/db' }) as Record<string, unknown>;
    for (const key of Object.keys(data)) expect([key, key in config]).toEqual([key, true]);
  });

  test("the worker's grace period outlasts SHUTDOWN_GRACE_MS, and its metrics port is the configured one", () => {
    const configMap = find('ConfigMap', 'botport').data;
    const worker = find('Deployment', 'botport-worker').spec.template.spec;
    expect(worker.terminationGracePeriodSeconds * 1000).toBeGreaterThan(Number(configMap.SHUTDOWN_GRACE_MS));
    expect(String(worker.containers[0].ports[0].containerPort)).toBe(configMap.METRICS_PORT);
  });

  test("KEDA scales workers on BullMQ's waiting lists for the configured prefix", async () => {
    const prefix = find('ConfigMap', 'botport').data.QUEUE_PREFIX;
    const scaled = find('ScaledObject', 'botport-worker');
    expect(scaled.spec.scaleTargetRef.name).toBe('botport-worker');
    expect(scaled.spec.triggers.map((t: { metadata: { listName: string } }) => t.metadata.listName)).toEqual([
      `${prefix}:${QUEUES.exports}:wait`,
      `${prefix}:${QUEUES.imports}:wait`,
    ]);
    // That list really is where a waiting job sits (no worker runs in this file, so it waits).
    const queue = api.ctx.queues.exports;
    await queue.add('probe', {}, { jobId: 'keda-probe' });
    try {
      expect(await api.ctx.redis.lrange(`${process.env.QUEUE_PREFIX}:${QUEUES.exports}:wait`, 0, -1)).toContain('keda-probe');
    } finally {
      await queue.remove('keda-probe');
    }
  });
});

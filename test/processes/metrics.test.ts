import { call, createBotWith, newTenant, token, waitForExport } from '../support/harness';
import { demoBot } from '../support/fixtures';
import { freePort } from '../support/private-services';
import { startService, stopServices } from '../support/processes';

/** The value of the series `name` whose labels include `labels` (label order is the library's). */
function series(text: string, name: string, labels: Record<string, string>): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
  return line === undefined ? undefined : Number(line.split(' ').pop());
}

/** Prometheus metrics from both processes, behind METRICS_TOKEN when it is set. */
test('the api and the worker serve Prometheus metrics that count what happened', async () => {
  const metricsToken = 'metrics-token-0123456789';
  const port = await freePort();
  const env = { METRICS_TOKEN: metricsToken, METRICS_PORT: String(port) };
  const api = await startService('api', env);
  const worker = await startService('worker', env);
  try {
    const bearer = token(newTenant());
    const botId = await createBotWith(api, bearer, demoBot());
    const created = await call(api, 'POST', '/v1/exports', { token: bearer, body: { botId } });
    expect((await waitForExport(api, bearer, created.body.exportId)).exportStatus).toBe('Completed');

    expect((await call(api, 'GET', '/metrics')).status).toBe(401);
    const apiMetrics = await call(api, 'GET', '/metrics', { token: metricsToken });
    expect(apiMetrics.status).toBe(200);
    expect(apiMetrics.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(series(apiMetrics.text, 'botport_jobs', { kind: 'export', surface: 'native', status: 'Completed' })).toBeGreaterThanOrEqual(1);
    expect(series(apiMetrics.text, 'botport_queue_jobs', { queue: 'exports', state: 'completed' })).toBeGreaterThanOrEqual(1);
    expect(series(apiMetrics.text, 'botport_http_request_duration_seconds_count', { method: 'POST', route: '/v1/exports/', status: '2xx' })).toBe(1);
    expect(
      series(apiMetrics.text, 'botport_http_request_duration_seconds_count', { method: 'GET', route: '/exports/:exportId/', status: '2xx' }),
    ).toBeGreaterThanOrEqual(1);

    const url = `http://127.0.0.1:${port}/metrics`;
    expect((await fetch(url)).status).toBe(401);
    const workerMetrics = await (await fetch(url, { headers: { authorization: `Bearer ${metricsToken}` } })).text();
    // Exactly ours: the file has a database of its own, so no other file's job reaches this worker.
    expect(series(workerMetrics, 'botport_jobs_finished_total', { queue: 'exports', outcome: 'completed' })).toBe(1);
    expect(series(workerMetrics, 'botport_job_duration_seconds_count', { queue: 'exports', outcome: 'completed' })).toBe(1);
    expect(series(workerMetrics, 'botport_export_archive_bytes_count', {})).toBe(1);
    expect(series(workerMetrics, 'botport_export_archive_bytes_sum', {})).toBeGreaterThan(1000);
  } finally {
    await stopServices([api, worker]);
  }
});

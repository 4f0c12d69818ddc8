import { randomBytes } from 'node:crypto';
import { createPool, migrate } from '@botport/shared';
import { exitOf, spawnService, waitForLog } from '../support/processes';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const services = require('../../infra/local/services.js');

describe('process lifecycle', () => {
  test.each(['api', 'worker'] as const)('the %s exits cleanly within 10 s of SIGTERM', async (name) => {
    const child = spawnService(name, { PORT: '0' });
    await waitForLog(child, name === 'api' ? /api listening/ : /worker started/);
    const started = Date.now();
    child.kill('SIGTERM');
    const { code } = await exitOf(child);
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(child.output()).toMatch(/"msg":"stopped"/);
  });

  test('a bad configuration stops the process with a message naming the variable', async () => {
    const child = spawnService('api', { PORT: 'not-a-port' });
    const { code } = await exitOf(child);
    expect(code).toBe(78);
    expect(child.output()).toMatch(/PORT/);
  });

  test('two replicas migrating a fresh database at once apply each migration exactly once', async () => {
    const url = `${process.env.DATABASE_URL!.replace(/\/[^/]+$/, '')}/botport_race_${randomBytes(3).toString('hex')}`;
    await services.ensureDatabase(url);
    const a = createPool(url, 2);
    const b = createPool(url, 2);
    try {
      const [first, second] = await Promise.all([migrate(a), migrate(b)]);
      expect(first.length + second.length).toBeGreaterThan(0);
      expect(new Set([...first, ...second]).size).toBe(first.length + second.length);
      const { rows } = await a.query('SELECT count(*)::int AS n FROM schema_migrations');
      expect(rows[0].n).toBe(first.length + second.length);
    } finally {
      await Promise.all([a.end(), b.end()]);
      await services.dropDatabase(url);
    }
  });
});

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Express } from 'express';
import { call, startApi, type TestApi } from '../support/harness';

/** bull-board: a page with its own private API, documented as one entry. */
const DASHBOARD = '/admin/board';

/** Every route the app serves, as `METHOD /path` with `{param}`s and no trailing slash. */
function appRoutes(app: Express): string[] {
  const out: string[] = [];
  const walk = (stack: any[], prefix: string) => {
    for (const layer of stack) {
      const mounts: string[] = Array.isArray(layer.rawPath) ? layer.rawPath : [layer.rawPath];
      if (layer.route) {
        for (const method of Object.keys(layer.route.methods)) out.push(`${method.toUpperCase()} ${prefix}${layer.route.path}`);
      } else if (mounts.some((m) => prefix + m === DASHBOARD)) {
        out.push(`GET ${DASHBOARD}`);
      } else if (layer.handle?.stack) {
        for (const mount of mounts) walk(layer.handle.stack, prefix + (mount === '/' ? '' : mount));
      }
    }
  };
  walk((app as unknown as { router: { stack: any[] } }).router.stack, '');
  return out.map(normalise).sort();
}

const normalise = (route: string) => route.replace(/:([A-Za-z]+)/g, '{$1}').replace(/(.)\/$/, '$1');

let api: TestApi;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.close());

describe('GET /openapi.json', () => {
  test('lists every route the api serves, and nothing it does not', async () => {
    const res = await call(api, 'GET', '/openapi.json');
    expect(res.status).toBe(200);
    const documented = Object.entries(res.body.paths as Record<string, Record<string, unknown>>)
      .flatMap(([p, methods]) => Object.keys(methods).map((m) => normalise(`${m.toUpperCase()} ${p}`)))
      .sort();
    const { createApp } = await import('@botport/api');
    expect(documented).toEqual(appRoutes(createApp(api.ctx)));
  });

  test('validates as OpenAPI 3.1 and carries the request schemas', async () => {
    const doc = (await call(api, 'GET', '/openapi.json')).body;
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.paths['/exports/'].put.requestBody.content['application/json'].schema.properties.fileFormat.enum).toEqual(['LexJson', 'BotportJson', 'TSV']);
    expect(doc.paths['/v1/imports'].post.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['botName', 'botId', 'localeId', 'mergeStrategy']),
    );
    // The validator is an ES module: run it in its own Node process.
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'botport-openapi-')), 'openapi.json');
    fs.writeFileSync(file, JSON.stringify(doc));
    const script = `import('@seriousme/openapi-schema-validator').then(async ({ Validator }) => {
      const v = new Validator(); const r = await v.validate(${JSON.stringify(file)});
      console.log(JSON.stringify({ valid: r.valid, version: v.version, errors: r.errors }));
    })`;
    const out = spawnSync(process.execPath, ['-e', script], { cwd: path.resolve(__dirname, '../..'), encoding: 'utf8' });
    const result = JSON.parse(out.stdout.trim());
    expect(result).toMatchObject({ valid: true, version: '3.1' });
  });

  test('a client generated with openapi-typescript has a typed body for every 2xx answer that carries one', async () => {
    const doc = (await call(api, 'GET', '/openapi.json')).body as {
      paths: Record<string, Record<string, { responses: Record<string, { content?: object }> }>>;
    };
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'botport-openapi-ts-'));
    fs.writeFileSync(path.join(dir, 'openapi.json'), JSON.stringify(doc));
    const root = path.resolve(__dirname, '../..');
    const generated = spawnSync(process.execPath, [path.join(root, 'node_modules/openapi-typescript/bin/cli.js'), 'openapi.json', '-o', 'api.d.ts'], {
      cwd: dir,
      encoding: 'utf8',
    });
    expect(generated.status).toBe(0);
    // One type-level probe per body: it compiles only if the generated type is not `never`.
    const probes = Object.entries(doc.paths).flatMap(([p, methods]) =>
      Object.entries(methods).flatMap(([m, o]) =>
        Object.entries(o.responses)
          .filter(([status, r]) => /^2\d\d$/.test(status) && r.content)
          .flatMap(([status, r]) =>
            Object.keys(r.content!).map(
              (media) => `ok<paths[${JSON.stringify(p)}][${JSON.stringify(m)}]['responses'][${status}]['content'][${JSON.stringify(media)}]>();`,
            ),
          ),
      ),
    );
    expect(probes.length).toBeGreaterThanOrEqual(45);
    fs.writeFileSync(
      path.join(dir, 'probe.ts'),
      `import type { paths } from './api';\ndeclare function ok<T>(...never: [T] extends [never] ? [typed: 'no'] : []): void;\n${probes.join('\n')}\n`,
    );
    const tsc = spawnSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '--noEmit', '--strict', 'probe.ts'], {
      cwd: dir,
      encoding: 'utf8',
    });
    expect(tsc.stdout).toBe('');
    expect(tsc.status).toBe(0);
  });

  test('the contract the tests hold the app to refuses an answer the document does not describe', async () => {
    const { checkResponse } = await import('../support/contract');
    expect(() => checkResponse('GET', '/healthz', 200, 'application/json', '{"status":"ok"}')).not.toThrow();
    expect(() => checkResponse('GET', '/healthz', 200, 'application/json', '{"status":"fine"}')).toThrow(/a body the document does not describe/);
    expect(() => checkResponse('GET', '/v1/exports/AAAAAAAAAA', 200, 'application/json', '{"exportId":"AAAAAAAAAA"}')).toThrow(/must have required property/);
    expect(() => checkResponse('DELETE', '/v1/bots/AAAAAAAAAA', 200, 'application/json', '{}')).toThrow(
      /answered 200, which the OpenAPI document does not list/,
    );
    expect(() => checkResponse('GET', '/exports/AAAAAAAAAA/', 404, 'application/json', '{"detail":"x"}')).toThrow(/must have required property 'message'/);
  });
});

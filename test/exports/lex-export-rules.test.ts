import { call, createBotWith, newTenant, startApi, type TestApi, token } from '../support/harness';
import { demoBot } from '../support/fixtures';

// No worker here: exports stay InProgress, which is what these rules are about.
let api: TestApi;
beforeAll(async () => {
  api = await startApi({ EXPORT_MAX_UNFINISHED_PER_TENANT: '3', EXPORT_CREATE_PER_MINUTE: '6' });
});
afterAll(() => api.close());

const create = (bearer: string, spec: object, extra: object = {}) =>
  call(api, 'PUT', '/exports/', { token: bearer, body: { resourceSpecification: spec, fileFormat: 'BotportJson', ...extra } });

function expectLexError(res: { status: number; headers: Headers; body: any }, status: number, name: string, message?: RegExp) {
  expect([res.status, res.headers.get('x-amzn-errortype')]).toEqual([status, name]);
  expect(Object.keys(res.body)).toEqual(['message']);
  if (message) expect(res.body.message).toMatch(message);
}

describe('Lex export rules', () => {
  test('a second identical export while one is InProgress is a ConflictException naming it', async () => {
    const bearer = token(newTenant());
    const botId = await createBotWith(api, bearer, demoBot());
    const spec = { botExportSpecification: { botId, botVersion: 'DRAFT' } };
    const first = await create(bearer, spec);
    expect(first.status).toBe(202);
    expectLexError(await create(bearer, spec), 409, 'ConflictException', new RegExp(first.body.exportId));
    // Another locale is another export.
    expect((await create(bearer, { botLocaleExportSpecification: { botId, botVersion: 'DRAFT', localeId: 'en_US' } })).status).toBe(202);
    expectLexError(await call(api, 'DELETE', `/exports/${first.body.exportId}/`, { token: bearer }), 409, 'ConflictException', /in progress/);
  });

  test('too many unfinished exports is ServiceQuotaExceeded; too many requests is Throttling with Retry-After', async () => {
    const bearer = token(newTenant());
    const botId = await createBotWith(api, bearer, demoBot());
    for (const localeId of ['en_US', 'de_DE']) {
      expect((await create(bearer, { botLocaleExportSpecification: { botId, botVersion: 'DRAFT', localeId } })).status).toBe(202);
    }
    expect((await create(bearer, { botExportSpecification: { botId, botVersion: 'DRAFT' } })).status).toBe(202);
    expectLexError(await create(bearer, { botExportSpecification: { botId, botVersion: 'DRAFT' } }), 402, 'ServiceQuotaExceededException');
    let throttled;
    for (let i = 0; i < 6 && !throttled; i++) {
      const res = await create(bearer, { botExportSpecification: { botId, botVersion: 'DRAFT' } });
      if (res.status === 429) throttled = res;
    }
    expect(throttled).toBeDefined();
    expectLexError(throttled!, 429, 'ThrottlingException');
    const retryAfter = Number(throttled!.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
  });

  test('bad requests are ValidationExceptions; unknown resources ResourceNotFound', async () => {
    const bearer = token(newTenant());
    const botId = await createBotWith(api, bearer, demoBot());
    expectLexError(await create(bearer, {}), 400, 'ValidationException', /exactly one/);
    expectLexError(
      await create(bearer, {
        botExportSpecification: { botId, botVersion: 'DRAFT' },
        botLocaleExportSpecification: { botId, botVersion: 'DRAFT', localeId: 'en_US' },
      }),
      400,
      'ValidationException',
    );
    expectLexError(await create(bearer, { botExportSpecification: { botId, botVersion: 'latest' } }), 400, 'ValidationException', /botVersion/);
    expectLexError(
      await create(bearer, { botExportSpecification: { botId, botVersion: 'DRAFT' } }, { fileFormat: 'Zip' }),
      400,
      'ValidationException',
      /fileFormat/,
    );
    expectLexError(await call(api, 'PUT', '/exports/', { token: bearer, body: '{oops' }), 400, 'ValidationException', /JSON/);
    expectLexError(await create(bearer, { botExportSpecification: { botId: 'ZZZZZZZZZZ', botVersion: 'DRAFT' } }), 404, 'ResourceNotFoundException');
    expectLexError(await create(bearer, { botExportSpecification: { botId, botVersion: '7' } }), 404, 'ResourceNotFoundException', /no version 7/);
    expectLexError(
      await create(bearer, { botLocaleExportSpecification: { botId, botVersion: 'DRAFT', localeId: 'fr_FR' } }),
      404,
      'ResourceNotFoundException',
      /fr_FR/,
    );
    expectLexError(await call(api, 'GET', '/exports/NOPENOPE00/', { token: bearer }), 404, 'ResourceNotFoundException');
  });

  test('authentication failures are AccessDenied (403); other tenants see nothing', async () => {
    const owner = newTenant();
    const botId = await createBotWith(api, token(owner), demoBot());
    const created = await create(token(owner), { botExportSpecification: { botId, botVersion: 'DRAFT' } });
    expectLexError(await call(api, 'GET', `/exports/${created.body.exportId}/`), 403, 'MissingAuthenticationTokenException');
    expectLexError(await call(api, 'GET', `/exports/${created.body.exportId}/`, { token: 'junk' }), 403, 'AccessDeniedException');
    expectLexError(
      await create(token(owner, { scopes: ['exports:read'] }), { botExportSpecification: { botId, botVersion: 'DRAFT' } }),
      403,
      'AccessDeniedException',
    );
    const stranger = token(newTenant());
    expectLexError(await call(api, 'GET', `/exports/${created.body.exportId}/`, { token: stranger }), 404, 'ResourceNotFoundException');
    expectLexError(await call(api, 'DELETE', `/exports/${created.body.exportId}/`, { token: stranger }), 404, 'ResourceNotFoundException');
    expectLexError(await create(stranger, { botExportSpecification: { botId, botVersion: 'DRAFT' } }), 404, 'ResourceNotFoundException');
    expect((await call(api, 'POST', '/exports/', { token: stranger, body: {} })).body.exportSummaries).toEqual([]);
  });

  test('ListExports filters, sorts and pages with tamper-evident, tenant-bound tokens', async () => {
    const tenant = newTenant();
    const bearer = token(tenant);
    const botId = await createBotWith(api, bearer, demoBot(), true);
    const ids: string[] = [];
    for (const spec of [
      { botExportSpecification: { botId, botVersion: 'DRAFT' } },
      { botLocaleExportSpecification: { botId, botVersion: 'DRAFT', localeId: 'en_US' } },
      { botLocaleExportSpecification: { botId, botVersion: '1', localeId: 'de_DE' } },
    ]) {
      const res = await create(bearer, spec);
      expect(res.status).toBe(202);
      ids.push(res.body.exportId);
    }
    const list = (body: object, t = bearer) => call(api, 'POST', '/exports/', { token: t, body });

    const asc = await list({ sortBy: { attribute: 'LastUpdatedDateTime', order: 'Ascending' } });
    expect(asc.status).toBe(200);
    expect(asc.body.exportSummaries.map((s: { exportId: string }) => s.exportId)).toEqual(ids);
    expect(asc.body.exportSummaries[0]).toEqual({
      exportId: ids[0],
      resourceSpecification: { botExportSpecification: { botId, botVersion: 'DRAFT' } },
      fileFormat: 'BotportJson',
      exportStatus: 'InProgress',
      creationDateTime: expect.any(Number),
      lastUpdatedDateTime: expect.any(Number),
    });

    const paged: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await list({ maxResults: 1, nextToken });
      expect(page.body.exportSummaries.length).toBe(1);
      paged.push(page.body.exportSummaries[0].exportId);
      nextToken = page.body.nextToken;
      if (nextToken) {
        const tampered = nextToken.replace(/^./, (c) => (c === 'e' ? 'f' : 'e'));
        expectLexError(await list({ maxResults: 1, nextToken: tampered }), 400, 'ValidationException', /nextToken/);
        expectLexError(await list({ maxResults: 1, nextToken }, token(newTenant())), 400, 'ValidationException', /nextToken/);
        expectLexError(await list({ maxResults: 1, nextToken, botVersion: '1' }), 400, 'ValidationException', /nextToken/);
      }
    } while (nextToken);
    expect(paged).toEqual([...ids].reverse());

    const eq = await list({ filters: [{ name: 'ExportResourceType', values: ['BotLocale'], operator: 'EQ' }] });
    expect(eq.body.exportSummaries.map((s: { exportId: string }) => s.exportId).sort()).toEqual([ids[1], ids[2]].sort());
    const co = await list({ filters: [{ name: 'ExportResourceType', values: ['Bot'], operator: 'CO' }] });
    expect(co.body.exportSummaries.length).toBe(3);
    const byVersion = await list({ botId, botVersion: '1' });
    expect(byVersion.body).toMatchObject({ botId, botVersion: '1' });
    expect(byVersion.body.exportSummaries.map((s: { exportId: string }) => s.exportId)).toEqual([ids[2]]);
    expectLexError(await list({ filters: [{ name: 'Other', values: ['x'], operator: 'EQ' }] }), 400, 'ValidationException');
  });
});

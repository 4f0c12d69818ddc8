import fc from 'fast-check';
import { openApiDocument } from '../../api/src/openapi/document';
import { call, createBotWith, newTenant, startApi, type TestApi, token } from '../support/harness';
import { demoBot } from '../support/fixtures';

/**
 * Property-based fuzzing of every route of every surface: whatever a client
 * sends — arbitrary JSON, near-valid bodies with fields replaced by anything,
 * text that is not JSON, NUL characters, lone surrogates, JSON nested
 * thousands deep, bad percent-encoding in paths and queries — the answer is
 * never a 5xx and the api keeps running. Over 10,000 cases in all.
 */
let api: TestApi;
let botId: string;
let bearer: string;
let botToken: string;

beforeAll(async () => {
  // No worker: jobs the fuzzer manages to create simply wait.
  api = await startApi({ EXPORT_CREATE_PER_MINUTE: '100000', EXPORT_MAX_UNFINISHED_PER_TENANT: '100000' });
  const tenant = newTenant();
  bearer = token(tenant);
  botId = await createBotWith(api, bearer, demoBot());
  botToken = token(tenant, { bot: botId, scopes: ['backup'] });
});
afterAll(() => api.close());

interface Endpoint {
  method: string;
  /** `{botId}` stands for the fuzzed tenant's bot. */
  path: string;
  /** A valid body, for near-valid mutations. */
  valid: () => Record<string, unknown>;
  auth?: 'bearer' | 'kore' | 'bot';
}

const lexSpec = () => ({ botExportSpecification: { botId, botVersion: 'DRAFT' } });
const ENDPOINTS: Endpoint[] = [
  { method: 'PUT', path: '/exports/', valid: () => ({ resourceSpecification: lexSpec(), fileFormat: 'BotportJson' }) },
  { method: 'POST', path: '/exports/', valid: () => ({ botId, maxResults: 5, sortBy: { attribute: 'LastUpdatedDateTime', order: 'Ascending' } }) },
  { method: 'PUT', path: '/exports/AAAAAAAAAA/', valid: () => ({ filePassword: 'x' }) },
  {
    method: 'PUT',
    path: '/imports/',
    valid: () => ({ importId: 'AAAAAAAAAA', resourceSpecification: { botImportSpecification: { botName: 'x' } }, mergeStrategy: 'Overwrite' }),
  },
  { method: 'POST', path: '/imports/', valid: () => ({ filters: [{ name: 'ImportResourceType', values: ['Bot'], operator: 'EQ' }] }) },
  {
    method: 'POST',
    path: '/api/public/bot/{botId}/export',
    auth: 'kore',
    valid: () => ({ exportType: 'latest', subTasks: { dialogs: ['Checkout'] }, IncludeDependentTasks: true }),
  },
  { method: 'POST', path: '/api/public/bot/import', auth: 'kore', valid: () => ({ botDefinition: 'AAAAAAAAAA' }) },
  {
    method: 'POST',
    path: '/api/public/bot/{botId}/import',
    auth: 'kore',
    valid: () => ({ botDefinition: 'AAAAAAAAAA', importOptions: { nlpData: ['patterns'] } }),
  },
  { method: 'POST', path: '/v1/bots', valid: () => ({ name: 'Fuzzed', description: 'd' }) },
  { method: 'PUT', path: '/v1/bots/{botId}/versions/DRAFT', valid: () => ({ ...demoBot() }) },
  {
    method: 'PUT',
    path: '/v1/bots/{botId}/versions/DRAFT/components/intent/Fuzz?locale=en_US',
    valid: () => ({ body: { sampleUtterances: [{ utterance: 'hi' }] } }),
  },
  { method: 'POST', path: '/v1/exports', valid: () => ({ botId, localeId: 'en_US', fileFormat: 'LexJson', exportOptions: { customDashboards: false } }) },
  { method: 'PATCH', path: '/v1/exports/AAAAAAAAAA', valid: () => ({ filePassword: null }) },
  { method: 'POST', path: '/bots/restore', auth: 'bot', valid: () => ({ botId, definition: demoBot() }) },
  { method: 'POST', path: '/bots/restore/overwrite', auth: 'bot', valid: () => ({ botId, definition: demoBot() }) },
  {
    method: 'POST',
    path: '/authorization/integration',
    valid: () => ({ AccountAPIKey: 'BP000000000000000000.x', BotAPIKey: 'BP000000000000000000', BotAPISecret: 'y' }),
  },
  { method: 'POST', path: '/v1/credentials', valid: () => ({ name: 'fuzzed', scopes: ['exports:read'], botId }) },
  { method: 'POST', path: '/bots/', valid: () => ({ filters: [{ name: 'BotName', values: ['Pizza'], operator: 'CO' }], maxResults: 5 }) },
];

/** Text the input guard refuses, and text around it: NUL, lone surrogates, odd Unicode. */
const nastyText = fc.oneof(
  fc.constantFrom('\u0000', 'a\u0000b', '\ud800', 'x\udc00y', '\udbff\udbff', 'e\u0301', '\u202e', ''),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ maxLength: 40 }),
);

/** JSON nested `depth` levels deep, in arrays or objects. */
const deep = fc
  .tuple(fc.integer({ min: 90, max: 6000 }), fc.boolean())
  .map(([depth, objects]) => (objects ? `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}` : `${'['.repeat(depth)}${']'.repeat(depth)}`));

/** Any value, with the guard's cases mixed in as strings and keys. */
const anyValue = fc.oneof(
  { weight: 3, arbitrary: fc.anything() },
  { weight: 2, arbitrary: nastyText },
  { weight: 1, arbitrary: fc.dictionary(nastyText, nastyText) },
);

/** A valid body with one field (top level or nested once) replaced by anything at all. */
const nearValid = (valid: Record<string, unknown>) =>
  fc.tuple(fc.constantFrom(...Object.keys(valid)), anyValue, fc.boolean()).map(([key, value, nested]) => {
    const body = structuredClone(valid);
    const inner = body[key];
    if (nested && inner && typeof inner === 'object' && !Array.isArray(inner) && Object.keys(inner).length) {
      (inner as Record<string, unknown>)[Object.keys(inner)[0]] = value;
    } else body[key] = value;
    return JSON.stringify(body);
  });

const bodies = (e: Endpoint) =>
  fc.oneof(
    { weight: 4, arbitrary: nearValid(e.valid()) },
    { weight: 2, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
    { weight: 1, arbitrary: deep },
    { weight: 1, arbitrary: deep.map((d) => `{"body":${d},"definition":${d},"name":${d}}`) },
  );

async function send(e: Endpoint, body: string) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (e.auth === 'kore') headers.auth = bearer;
  else headers.authorization = `Bearer ${e.auth === 'bot' ? botToken : bearer}`;
  const res = await fetch(api.url + e.path.replace('{botId}', botId), { method: e.method, headers, body });
  await res.arrayBuffer();
  return res.status;
}

describe.each(ENDPOINTS.map((e) => [`${e.method} ${e.path}`, e] as const))('%s', (_name, endpoint) => {
  test('never answers 5xx, whatever the body', async () => {
    await fc.assert(
      fc.asyncProperty(bodies(endpoint), async (body) => {
        const status = await send(endpoint, body);
        if (status >= 500) throw new Error(`answered ${status} to ${body.slice(0, 300)}`);
      }),
      { numRuns: 400 },
    );
    expect((await call(api, 'GET', '/healthz')).status).toBe(200);
  });
});

/** A path segment or query value as a client might send it: percent-encoded text, raw bad encodings, NUL. */
const segment = fc.oneof(
  nastyText.map((t) => [...t].map((c) => (c.isWellFormed() ? encodeURIComponent(c) : '%ED%A0%80')).join('')),
  fc.constantFrom('%00', '%ZZ', '%', '%E0%A4%A', '%c0%ae%c0%ae', '%ED%A0%80', '%F4%90%80%80', 'AAAAAAAAAA', '..', '%2e%2e', 'DRAFT', 'a%2Fb'),
);

/** Every operation of the OpenAPI document, its `{params}` and query filled with such text, its body with odd JSON. */
const operations = () => {
  const doc = openApiDocument() as { paths: Record<string, Record<string, unknown>> };
  return Object.entries(doc.paths)
    .flatMap(([path, methods]) => Object.keys(methods).map((method) => ({ method: method.toUpperCase(), path })))
    .filter((o) => !o.path.startsWith('/admin/board') && !o.path.endsWith('/events'));
};

describe.each(operations().map((o) => [`${o.method} ${o.path}`, o] as const))('%s with odd paths, queries and bodies', (_name, o) => {
  test('never answers 5xx', async () => {
    const request = fc.record({
      params: fc.array(segment, { minLength: 4, maxLength: 4 }),
      query: fc.array(fc.tuple(fc.constantFrom('botId', 'cursor', 'botVersion', 'limit', 'nextToken', 'localeId', 'botName', 'mergeStrategy'), segment), {
        maxLength: 3,
      }),
      body: fc.oneof(
        deep,
        fc.jsonValue().map((v) => JSON.stringify(v)),
        nastyText.map((t) => JSON.stringify({ name: t, botId: t, localeId: t, notifyUrl: t })),
      ),
    });
    await fc.assert(
      fc.asyncProperty(request, async ({ params, query, body }) => {
        let i = 0;
        const path = o.path.replace(/\{[^}]+\}/g, () => params[i++ % params.length]);
        const qs = query.map(([k, v]) => `${k}=${v}`).join('&');
        const url = `${api.url}${path}${qs ? `?${qs}` : ''}`;
        const withBody = o.method !== 'GET' && o.method !== 'DELETE';
        const res = await fetch(url, {
          method: o.method,
          headers: { authorization: `Bearer ${bearer}`, auth: bearer, ...(withBody && { 'content-type': 'application/json' }) },
          body: withBody ? body : undefined,
          redirect: 'manual',
        });
        await res.arrayBuffer();
        if (res.status >= 500) throw new Error(`${o.method} ${url} answered ${res.status}`);
      }),
      { numRuns: 120 },
    );
    expect((await call(api, 'GET', '/healthz')).status).toBe(200);
  });
});

test('a body over BODY_LIMIT is refused early with 413', async () => {
  const big = JSON.stringify({ name: 'x'.repeat(11 * 1024 * 1024) });
  expect(
    await send(
      ENDPOINTS.find((e) => e.path === '/v1/bots')!,
      big,
    ),
  ).toBe(413);
});

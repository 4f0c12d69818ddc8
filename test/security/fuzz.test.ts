import fc from 'fast-check';
import { call, createBotWith, newTenant, startApi, type TestApi, token } from '../support/harness';
import { demoBot } from '../support/fixtures';

/**
 * Property-based fuzzing of every JSON endpoint of every surface: whatever a
 * client sends — arbitrary JSON, near-valid bodies with fields replaced by
 * anything, text that is not JSON — the answer is never a 5xx and the api
 * keeps running. Thousands of cases in all.
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
];

/** A valid body with one field (top level or nested once) replaced by anything at all. */
const nearValid = (valid: Record<string, unknown>) =>
  fc.tuple(fc.constantFrom(...Object.keys(valid)), fc.anything(), fc.boolean()).map(([key, value, nested]) => {
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
      { numRuns: 150 },
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

import jwt from 'jsonwebtoken';
import { demoBot } from '../support/fixtures';
import { call, createBotWith, newTenant, startApi, type TestApi, token } from '../support/harness';

/**
 * The input guard, case by case: NUL characters, lone surrogates, bad
 * percent-encoding and JSON nested thousands deep are answered 400 in the
 * surface's own error shape (never a 5xx) and change nothing.
 */
let api: TestApi;
let bearer: string;
let botToken: string;
let botId: string;
const tenant = newTenant();

beforeAll(async () => {
  api = await startApi();
  bearer = token(tenant);
  botId = await createBotWith(api, bearer, demoBot());
  botToken = token(tenant, { bot: botId, scopes: ['backup'] });
});
afterAll(() => api.close());

const nested = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

/** What each surface's 400 looks like. */
const SHAPES = {
  native: (r: Awaited<ReturnType<typeof call>>) => r.headers.get('content-type')?.startsWith('application/problem+json') && r.body.status === 400,
  lex: (r: Awaited<ReturnType<typeof call>>) => r.headers.get('x-amzn-errortype') === 'ValidationException' && typeof r.body.message === 'string',
  kore: (r: Awaited<ReturnType<typeof call>>) => r.body.errors?.[0]?.code === 400,
  eddi: (r: Awaited<ReturnType<typeof call>>) => typeof r.body.error === 'string',
  xenioo: (r: Awaited<ReturnType<typeof call>>) => typeof r.body.message === 'string',
};

const CASES: [keyof typeof SHAPES, string, string, unknown?, 'bot'?][] = [
  ['native', 'GET', '/v1/bots/%00'],
  ['native', 'GET', '/v1/bots/%ZZ'],
  ['native', 'GET', '/v1/exports/%c0%ae%c0%ae'],
  ['native', 'GET', '/v1/exports?botId=%00'],
  ['native', 'GET', '/v1/bots?cursor=AA'],
  ['native', 'POST', '/admin/jobs/%00/retry'],
  ['native', 'POST', '/v1/bots', '{"name":"a\\u0000b"}'],
  ['native', 'POST', '/v1/bots', '{"name":"a\\ud800b"}'],
  ['native', 'POST', '/v1/exports', '{"botId":"BOTID","localeId":"en\\u0000US"}'],
  ['native', 'POST', '/v1/exports', '{"botId":"BOTID","notifyUrl":"http://example.com/\\u0000"}'],
  ['native', 'PUT', '/v1/bots/BOTID/versions/DRAFT/components/intent/Deep?locale=en_US', `{"body":${nested(5000)}}`],
  ['lex', 'GET', '/exports/%00/'],
  ['lex', 'GET', '/imports/%ED%A0%80/'],
  ['lex', 'PUT', '/exports/', `{"resourceSpecification":${nested(5000)}}`],
  ['kore', 'GET', '/api/public/bot/%00/export/status'],
  ['kore', 'POST', '/api/public/bot/BOTID/export', '{"exportType":"latest","subTasks":{"dialogs":["\\u0000"]}}'],
  ['eddi', 'GET', '/backup/export/%00'],
  ['eddi', 'POST', '/backup/export/%ZZ?botVersion=1'],
  ['xenioo', 'POST', '/bots/restore', `{"botId":"BOTID","definition":${nested(5000)}}`, 'bot'],
];

describe.each(CASES)('%s %s %s', (surface, method, path, body, auth) => {
  test('is 400 in the surface’s error shape', async () => {
    const headers: Record<string, string> = { auth: bearer };
    const res = await call(api, method, path.replace('BOTID', botId), {
      token: auth === 'bot' ? botToken : bearer,
      body: typeof body === 'string' ? body.replace('BOTID', botId) : body,
      headers,
    });
    expect([res.status, SHAPES[surface](res)]).toEqual([400, true]);
  });
});

test('a token whose tenant claim holds NUL is refused (401), never a query', async () => {
  const forged = jwt.sign({ sub: 'x', tenant: 'a\u0000b', scope: 'bots:read' }, process.env.JWT_SECRET as string, { algorithm: 'HS256', expiresIn: 60 });
  const res = await call(api, 'GET', '/v1/bots', { token: forged });
  expect([res.status, res.body.detail]).toEqual([401, 'the token tenant claim holds characters a tenant id cannot']);
});

test('component names are one name in NFC: é precomposed and e + U+0301 are the same component', async () => {
  const put = (name: string) =>
    call(api, 'PUT', `/v1/bots/${botId}/versions/DRAFT/components/action/${encodeURIComponent(name)}`, { token: bearer, body: { body: {} } });
  expect((await put('Caf\u00e9')).status).toBe(201);
  const again = await put('Cafe\u0301');
  expect([again.status, again.body.name]).toEqual([200, 'Caf\u00e9']);
  const draft = (await call(api, 'GET', `/v1/bots/${botId}/versions/DRAFT`, { token: bearer })).body;
  expect(draft.components.filter((c: { name: string }) => c.name.normalize('NFC') === 'Caf\u00e9')).toHaveLength(1);
});

import { call, createBotWith, newTenant, startApi, type TestApi, token } from '../support/harness';
import { createCredential, type IssuedCredential, signedCall } from '../support/credentials';
import { demoBot } from '../support/fixtures';

/**
 * AWS Signature Version 4 as AWS applies it, case by case, with raw signed
 * requests: the payload hash, UNSIGNED-PAYLOAD, any region, the service,
 * missing parts, the clock, and what the Lex surface answers off its paths.
 */
let api: TestApi;
let credential: IssuedCredential;
let botId: string;
beforeAll(async () => {
  api = await startApi();
  const admin = token(newTenant());
  botId = await createBotWith(api, admin, demoBot());
  credential = await createCredential(api, admin, { name: 'rules' });
});
afterAll(() => api.close());

const errorOf = (res: { status: number; headers: Headers; body: any }) => [res.status, res.headers.get('x-amzn-errortype'), res.body?.message];

test('any region signs; the payload hash covers the body, UNSIGNED-PAYLOAD is honoured, an altered body is refused', async () => {
  for (const region of ['us-east-1', 'eu-west-3', 'ap-northeast-1']) {
    expect((await signedCall(api, credential.signIn.aws, 'POST', '/bots/', {}, { region })).status).toBe(200);
  }
  const body = { filters: [{ name: 'BotName', values: ['PizzaBot'], operator: 'EQ' }] };
  const unsigned = await signedCall(api, credential.signIn.aws, 'POST', '/bots/', body, { headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } });
  expect([unsigned.status, unsigned.body.botSummaries.length]).toEqual([200, 1]);

  // The SDK signs x-amz-content-sha256: another body no longer matches it.
  const altered = await signedCall(api, credential.signIn.aws, 'POST', '/bots/', body, { tamper: (r) => (r.body = JSON.stringify({ maxResults: 1 })) });
  expect(errorOf(altered)).toEqual([403, 'InvalidSignatureException', "The provided 'x-amz-content-sha256' header does not match what was computed."]);
  // Without that header, the body's own hash is in the signature.
  expect((await signedCall(api, credential.signIn.aws, 'POST', '/bots/', body, { applyChecksum: false })).status).toBe(200);
  const bare = await signedCall(api, credential.signIn.aws, 'POST', '/bots/', body, {
    applyChecksum: false,
    tamper: (r) => (r.body = JSON.stringify({ maxResults: 1 })),
  });
  expect(errorOf(bare)).toEqual([403, 'InvalidSignatureException', expect.stringMatching(/^The request signature we calculated does not match/)]);

  const lyingHash = await signedCall(api, credential.signIn.aws, 'POST', '/bots/', body, {
    headers: { 'x-amz-content-sha256': 'a'.repeat(64) },
  });
  expect(errorOf(lyingHash)).toEqual([403, 'InvalidSignatureException', "The provided 'x-amz-content-sha256' header does not match what was computed."]);
});

test("another service, a missing part, a skewed clock and an altered header each answer AWS's error", async () => {
  expect(errorOf(await signedCall(api, credential.signIn.aws, 'POST', '/bots/', {}, { service: 's3' }))).toEqual([
    403,
    'InvalidSignatureException',
    "Credential should be scoped to correct service: 'lex'. ",
  ]);
  const noSignature = await signedCall(
    api,
    credential.signIn.aws,
    'POST',
    '/bots/',
    {},
    {
      tamper: (r) => (r.headers.authorization = r.headers.authorization.replace(/, Signature=[0-9a-f]+/, '')),
    },
  );
  expect(errorOf(noSignature)).toEqual([400, 'IncompleteSignatureException', "Authorization header requires 'Signature' parameter."]);
  const noDate = await signedCall(api, credential.signIn.aws, 'POST', '/bots/', {}, { tamper: (r) => delete r.headers['x-amz-date'] });
  expect(errorOf(noDate)).toEqual([
    400,
    'IncompleteSignatureException',
    "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
  ]);
  const ahead = await signedCall(api, credential.signIn.aws, 'POST', '/bots/', {}, { signingDate: new Date(Date.now() + 16 * 60 * 1000) });
  expect(errorOf(ahead)).toEqual([403, 'InvalidSignatureException', expect.stringMatching(/^Signature not yet current: \d{8}T\d{6}Z is still later than/)]);
  // 14 minutes off is within AWS's window.
  expect((await signedCall(api, credential.signIn.aws, 'POST', '/bots/', {}, { signingDate: new Date(Date.now() - 14 * 60 * 1000) })).status).toBe(200);
  const otherType = await signedCall(
    api,
    credential.signIn.aws,
    'POST',
    '/bots/',
    {},
    { tamper: (r) => (r.headers['content-type'] = 'application/json; charset=utf-8') },
  );
  expect(errorOf(otherType)).toEqual([403, 'InvalidSignatureException', expect.stringMatching(/^The request signature we calculated does not match/)]);
});

test('every other path under the Lex surface is UnknownOperationException, and a SigV4 request anywhere is answered by Lex', async () => {
  for (const [method, path] of [
    ['GET', '/bots/'],
    ['DELETE', `/bots/${botId}/`],
    ['GET', `/bots/${botId}/aliases/`],
    ['POST', '/exports/extra/path/'],
    ['GET', '/createuploadurl/'],
  ]) {
    const res = await signedCall(api, credential.signIn.aws, method, path);
    expect([method, path, ...errorOf(res)]).toEqual([method, path, 404, 'UnknownOperationException', expect.stringContaining(`Unknown operation: ${method}`)]);
  }
  // Unsigned and untokened, still Lex's shape, never a bare 404.
  expect(errorOf(await call(api, 'GET', '/bots/nope/'))).toEqual([
    403,
    'MissingAuthenticationTokenException',
    expect.stringMatching(/^Missing Authentication Token/),
  ]);
  // Signed with SigV4 to botport's own surface: only a Lex client signs that way.
  expect(errorOf(await signedCall(api, credential.signIn.aws, 'GET', '/v1/bots'))).toEqual([404, 'UnknownOperationException', expect.any(String)]);
  // Xenioo's paths under /bots stay Xenioo's.
  expect((await call(api, 'GET', '/bots/backup')).body).toEqual({ message: expect.any(String) });
  expect((await call(api, 'GET', '/bots/backup')).headers.get('x-amzn-errortype')).toBeNull();
});

test('a credential limited to one bot sees that bot only; one without bots:read is AccessDenied', async () => {
  const admin = token(newTenant());
  const mine = await createBotWith(api, admin, demoBot('Mine'));
  await createBotWith(api, admin, demoBot('Other'));
  const limited = await createCredential(api, admin, { name: 'one bot', botId: mine });
  expect((await signedCall(api, limited.signIn.aws, 'POST', '/bots/', {})).body.botSummaries.map((b: { botName: string }) => b.botName)).toEqual(['Mine']);
  const exportsOnly = await createCredential(api, admin, { name: 'exports only', scopes: ['exports:read'] });
  expect(errorOf(await signedCall(api, exportsOnly.signIn.aws, 'POST', '/bots/', {}))).toEqual([
    403,
    'AccessDeniedException',
    "the token lacks the 'bots:read' scope",
  ]);
});

import { createHmac } from 'node:crypto';
import { call, createBotWith, newTenant, token, useApiAndWorker } from '../support/harness';
import { createCredential, type IssuedCredential } from '../support/credentials';
import { demoBot } from '../support/fixtures';
import { download, unzip } from '../support/zip';

/**
 * Kore.ai's public API sign-in as Kore documents it: an app's clientId goes
 * in the `appId` claim, the JWT is signed HS256 with its clientSecret, and it
 * travels in the `auth` header. No botport token anywhere.
 */
const stack = useApiAndWorker();

const b64url = (v: string | Buffer) => Buffer.from(v).toString('base64url');

/** A JWT built by hand, the way Kore's docs (and jwt.io) make one. */
function koreJwt(claims: Record<string, unknown>, clientSecret: string): string {
  const input = `${b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${b64url(JSON.stringify(claims))}`;
  return `${input}.${b64url(createHmac('sha256', clientSecret).update(input).digest())}`;
}

/** The sample request of Kore's Bot Export API page (seed 001), byte for byte as its curl sends it. */
const SEED_EXPORT_BODY = `{
    "exportType": "published",
    "exportOptions": {
        "settings": [
            "botSettings",
            "botVariables",
            "ivrSettings",
            "genAIandLLMSettings"
        ],
        "tasks": [
            "botTask",
            "knowledgeGraph",
            "smallTalk"
        ],
        "nlpData": [
            "utterances",
            "patterns",
            "traits",
            "rules",
            "concepts",
            "synonyms",
            "standardResponses",
            "nlpSettings"
        ]
    },
    "subTasks": {
        "alerts": [],
        "actions": [],
        "dialogs": []
    },
    "allTasks": true,
    "customDashboards": true,
    "IncludeDependentTasks": true
}`;

let admin: string;
let app: IssuedCredential;
let botId: string;
beforeAll(async () => {
  admin = token(newTenant());
  botId = await createBotWith(stack.api, admin, demoBot(), true);
  app = await createCredential(stack.api, admin, { name: 'kore app', scopes: ['exports:read', 'exports:write'] });
});

test("the seed's export request, verbatim with only host and JWT changed, and the export status call", async () => {
  const jwt = koreJwt({ appId: app.signIn.kore.clientId, sub: 'ci-pipeline' }, app.signIn.kore.clientSecret);
  const started = await fetch(`${stack.api.url}/api/public/bot/${botId}/export`, {
    method: 'POST',
    headers: { auth: jwt, 'content-type': 'application/json' },
    body: SEED_EXPORT_BODY,
  });
  const body = (await started.json()) as { _id: string };
  expect([started.status, body]).toEqual([
    200,
    expect.objectContaining({ status: 'pending', streamId: botId, exportType: 'published', requestType: 'Botexport' }),
  ]);
  expect(body._id).toMatch(/^ber-[0-9A-Za-z]{10}$/);

  let status;
  for (let i = 0; i < 300; i++) {
    status = await call(stack.api, 'GET', `/api/public/bot/${botId}/export/status`, { headers: { auth: jwt } });
    if (status.body.status !== 'pending') break;
    await new Promise((r) => setTimeout(r, 50));
  }
  expect(status!.status).toBe(200);
  expect(status!.body).toMatchObject({ _id: body._id, status: 'success', exportType: 'published' });
  const files = await unzip((await download(status!.body.downloadURL)).data);
  // Kore's own zip of the published version.
  expect([...files.keys()].sort()).toEqual(['botDefinition.json', 'config.json']);
  expect(JSON.parse(files.get('config.json')!.toString())).toMatchObject({ name: 'PizzaBot' });
});

test("exp is honoured when present and not required; another app's secret, a revoked app and a missing scope are refused in Kore's shape", async () => {
  const statusWith = (jwt: string) => call(stack.api, 'GET', `/api/public/bot/${botId}/export/status`, { headers: { auth: jwt } });
  const now = Math.floor(Date.now() / 1000);
  expect((await statusWith(koreJwt({ appId: app.credentialId, sub: 'u', exp: now + 60 }, app.secret))).status).not.toBe(401);

  const expired = await statusWith(koreJwt({ appId: app.credentialId, sub: 'u', exp: now - 600 }, app.secret));
  expect([expired.status, expired.body]).toEqual([401, { errors: [{ msg: 'the JWT has expired (exp)', code: 401 }] }]);

  const other = await createCredential(stack.api, admin, { name: 'another app' });
  const forged = await statusWith(koreJwt({ appId: app.credentialId, sub: 'u' }, other.secret));
  expect([forged.status, forged.body]).toEqual([
    401,
    { errors: [{ msg: `the JWT is not signed with the client secret of app ${app.credentialId}`, code: 401 }] },
  ]);

  const readOnly = await createCredential(stack.api, admin, { name: 'read only', scopes: ['exports:read'] });
  const refused = await call(stack.api, 'POST', `/api/public/bot/${botId}/export`, {
    headers: { auth: koreJwt({ appId: readOnly.credentialId, sub: 'u' }, readOnly.secret) },
    body: { exportType: 'latest' },
  });
  expect([refused.status, refused.body.errors[0].code]).toEqual([403, 403]);

  expect((await call(stack.api, 'DELETE', `/v1/credentials/${other.credentialId}`, { token: admin })).status).toBe(200);
  const revoked = await statusWith(koreJwt({ appId: other.credentialId, sub: 'u' }, other.secret));
  expect([revoked.status, revoked.body.errors[0].msg]).toEqual([401, `no app has the appId ${other.credentialId}, or its credential was revoked`]);

  // botport's own JWT in the auth header works exactly as before.
  expect((await statusWith(admin)).status).toBe(200);
});

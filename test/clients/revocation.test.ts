import { LexModelsV2Client, ListBotsCommand } from '@aws-sdk/client-lex-models-v2';
import { call, createBotWith, newTenant, token } from '../support/harness';
import { createCredential } from '../support/credentials';
import { demoBot } from '../support/fixtures';
import { type Service, startService, stopServices } from '../support/processes';

/**
 * Two api processes, as two replicas behind a load balancer: a credential
 * revoked through one is refused by the other within a second (each caches
 * a credential for at most one second; nothing is sent between them).
 */
let apis: Service[] = [];
beforeAll(async () => {
  apis = await Promise.all([startService('api'), startService('api')]);
});
afterAll(() => stopServices(apis));

test('a credential revoked on one api is refused by the other within one second: SigV4 and Xenioo tokens alike', async () => {
  const [one, two] = apis;
  const admin = token(newTenant());
  const botId = await createBotWith(one, admin, demoBot());
  const credential = await createCredential(one, admin, { name: 'replicated', botId });
  const lex = new LexModelsV2Client({ endpoint: two.url, region: 'us-east-1', credentials: credential.signIn.aws, maxAttempts: 1 });
  try {
    const xenioo = (await call(two, 'POST', '/authorization/integration', { body: credential.signIn.xenioo })).body.token as string;
    // The second api has the credential in its cache now.
    expect((await lex.send(new ListBotsCommand({}))).botSummaries?.map((b) => b.botId)).toEqual([botId]);
    expect((await call(two, 'GET', '/v1/bots', { token: admin })).status).toBe(200);

    expect((await call(one, 'DELETE', `/v1/credentials/${credential.credentialId}`, { token: admin })).body.status).toBe('Revoked');
    await new Promise((r) => setTimeout(r, 1000));

    const refused = await lex.send(new ListBotsCommand({})).catch((e: Error) => e);
    expect((refused as Error).name).toBe('UnrecognizedClientException');
    const backup = await call(two, 'GET', '/bots/backup', { token: xenioo });
    expect([backup.status, backup.body.message]).toEqual([400, expect.stringMatching(/revoked/)]);
  } finally {
    lex.destroy();
  }
});

import { call, createBotWith, draftOf, newTenant, token, useApiAndWorker } from '../support/harness';
import { createCredential } from '../support/credentials';
import { demoBot } from '../support/fixtures';

/**
 * Xenioo's own flow, as its docs give it: sign in with API keys at
 * /authorization/integration, then the bearer token it answers on
 * /bots/backup, /bots/restore (a new bot and its new keys) and
 * /bots/restore/overwrite (the token's bot), each once per bot per hour.
 */
const stack = useApiAndWorker();

const authorize = (keys: Record<string, string>) => call(stack.api, 'POST', '/authorization/integration', { body: keys });

test('authorization → backup → restore (a new bot, new keys that work) → restore/overwrite → 429 within the hour', async () => {
  const admin = token(newTenant());
  const botId = await createBotWith(stack.api, admin, demoBot());
  const keys = await createCredential(stack.api, admin, { name: 'xenioo bot key', botId, scopes: ['backup', 'bots:read'] });

  const signedIn = await authorize({ BotAPIKey: keys.signIn.xenioo.BotAPIKey!, BotAPISecret: keys.signIn.xenioo.BotAPISecret! });
  expect(signedIn.status).toBe(200);
  expect(signedIn.body).toEqual({ token: expect.any(String), expires: 60 });
  const bearer = signedIn.body.token as string;

  const backup = await call(stack.api, 'GET', '/bots/backup', { token: bearer });
  expect(backup.status).toBe(200);
  expect(backup.body).toMatchObject({ botId, name: 'PizzaBot', definition: { bot: { name: 'PizzaBot' } } });

  // Restore: a brand-new bot, and a key pair for it.
  const restored = await call(stack.api, 'POST', '/bots/restore', { token: bearer, body: backup.body });
  expect(restored.status).toBe(200);
  expect(restored.body).toEqual({
    APIKey: expect.stringMatching(/^BP[0-9A-Z]{18}$/),
    APISecret: expect.any(String),
    botId: expect.any(String),
    name: 'PizzaBot (2)',
  });
  const newBot = restored.body.botId as string;
  expect(newBot).not.toBe(botId);
  expect((await draftOf(stack.api, admin, newBot)).components).toEqual(backup.body.definition.components);
  const newToken = (await authorize({ BotAPIKey: restored.body.APIKey, BotAPISecret: restored.body.APISecret })).body.token as string;
  const newBackup = await call(stack.api, 'GET', '/bots/backup', { token: newToken });
  expect([newBackup.status, newBackup.body.botId, newBackup.body.name]).toEqual([200, newBot, 'PizzaBot (2)']);

  // Overwrite: the token's bot becomes exactly the backup (here: one dialog fewer).
  const trimmed = {
    ...backup.body,
    definition: { ...backup.body.definition, components: backup.body.definition.components.filter((c: { kind: string }) => c.kind !== 'customDashboard') },
  };
  const overwritten = await call(stack.api, 'POST', '/bots/restore/overwrite', { token: bearer, body: trimmed });
  expect([overwritten.status, overwritten.body]).toEqual([200, { botId, restored: true, components: trimmed.definition.components.length }]);
  expect((await draftOf(stack.api, admin, botId)).components).toEqual(trimmed.definition.components);

  // Each is once per bot per hour.
  for (const path of ['/bots/backup', '/bots/restore', '/bots/restore/overwrite']) {
    const again = await call(stack.api, path === '/bots/backup' ? 'GET' : 'POST', path, {
      token: bearer,
      body: path === '/bots/backup' ? undefined : backup.body,
    });
    expect([path, again.status]).toEqual([path, 429]);
    expect(Number(again.headers.get('retry-after'))).toBeGreaterThan(3500);
  }
});

test('the account API key signs in tenant-wide; bad keys, bad backups and revoked keys answer as Xenioo documents', async () => {
  const admin = token(newTenant());
  const botId = await createBotWith(stack.api, admin, demoBot());
  const account = await createCredential(stack.api, admin, { name: 'xenioo account key' });
  const accountToken = (await authorize({ AccountAPIKey: account.signIn.xenioo.AccountAPIKey! })).body.token as string;
  expect(accountToken).toEqual(expect.any(String));
  // The account token restores into the tenant; backup needs a bot token.
  expect((await call(stack.api, 'GET', '/bots/backup', { token: accountToken })).status).toBe(400);
  const before = await draftOf(stack.api, admin, botId);
  const broken = {
    botId,
    definition: { ...before, components: [...before.components, { kind: 'dialog', name: 'Broken', body: {}, refs: [{ kind: 'action', name: 'Missing' }] }] },
  };
  const refused = await call(stack.api, 'POST', '/bots/restore', { token: accountToken, body: broken });
  expect([refused.status, refused.body.errors?.[0]?.message]).toEqual([400, expect.stringMatching(/action 'Missing'/)]);
  expect((await call(stack.api, 'GET', '/v1/bots', { token: admin })).body.bots).toHaveLength(1);
  // A refused restore does not cost the hour.
  expect((await call(stack.api, 'POST', '/bots/restore', { token: accountToken, body: { botId, definition: before } })).status).toBe(200);

  // 400 for missing keys, 404 for keys that are not found (or whose secret does not match).
  expect((await authorize({})).status).toBe(400);
  expect((await authorize({ BotAPIKey: 'BP000000000000000000' })).status).toBe(400);
  expect((await authorize({ AccountAPIKey: `${account.credentialId}.wrong` })).status).toBe(404);
  expect((await authorize({ AccountAPIKey: 'nothing-like-a-key' })).status).toBe(404);
  const botKeys = await createCredential(stack.api, admin, { name: 'bot key', botId, scopes: ['backup'] });
  expect((await authorize({ BotAPIKey: botKeys.credentialId, BotAPISecret: 'wrong' })).status).toBe(404);
  expect((await authorize({ BotAPIKey: account.credentialId, BotAPISecret: account.secret })).status).toBe(400); // not a bot key
  // Xenioo's bot-level request may carry the account key too; both must be of one account.
  const both = await authorize({ AccountAPIKey: account.signIn.xenioo.AccountAPIKey!, BotAPIKey: botKeys.credentialId, BotAPISecret: botKeys.secret });
  expect(both.status).toBe(200);
  const other = await createCredential(stack.api, token(newTenant()), { name: 'elsewhere' });
  expect((await authorize({ AccountAPIKey: other.signIn.xenioo.AccountAPIKey!, BotAPIKey: botKeys.credentialId, BotAPISecret: botKeys.secret })).status).toBe(
    404,
  );

  // Revoking (or rotating) the key ends its tokens.
  expect((await call(stack.api, 'GET', '/bots/backup', { token: both.body.token })).status).toBe(200);
  expect((await call(stack.api, 'POST', `/v1/credentials/${botKeys.credentialId}/rotate`, { token: admin })).status).toBe(200);
  const stale = await call(stack.api, 'GET', '/bots/backup', { token: both.body.token });
  expect([stale.status, stale.body.message]).toEqual([400, expect.stringMatching(/revoked or rotated/)]);
  expect((await call(stack.api, 'DELETE', `/v1/credentials/${account.credentialId}`, { token: admin })).status).toBe(200);
  expect((await call(stack.api, 'POST', '/bots/restore', { token: accountToken, body: { botId, definition: before } })).status).toBe(400);
  expect((await authorize({ AccountAPIKey: account.signIn.xenioo.AccountAPIKey! })).status).toBe(404);
});

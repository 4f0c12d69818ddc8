'use strict';
// `npm start`: the whole service on this machine. Installs dependencies and
// builds when needed, makes sure PostgreSQL and Redis answer (starting them
// when they do not), runs a local S3 server with its data under .local/s3,
// applies migrations, seeds a demo tenant and bot, starts the api and the
// worker, and prints how to reach them with a development token and a
// development credential for each platform's own client. Ctrl-C
// stops everything.
const { spawn } = require('node:child_process');
const path = require('node:path');
const services = require('./services');
const { runOnNode24 } = require('./node');

const root = path.resolve(__dirname, '../..');
const DEV_SECRET = 'botport-development-secret-do-not-use-in-production';
const DEMO_TENANT = 'demo';
const DEV_NOTIFY_SECRET = 'botport-development-notify-secret-0123456789';

async function main() {
  if (!runOnNode24()) return; // the same command goes on under Node 24
  services.ensureDependencies(root);
  services.build(root);

  const port = Number(process.env.PORT || 7070);
  const env = {
    ...process.env,
    PORT: String(port),
    DATABASE_URL: process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/botport',
    REDIS_URL: process.env.REDIS_URL || 'redis://127.0.0.1:6379',
    JWT_SECRET: process.env.JWT_SECRET || DEV_SECRET,
    PUBLIC_BASE_URL: process.env.PUBLIC_BASE_URL || `http://127.0.0.1:${port}`,
    // notifyUrl on the local stack: signed with a development secret, and allowed to call localhost.
    NOTIFY_SIGNING_SECRET: process.env.NOTIFY_SIGNING_SECRET || DEV_NOTIFY_SECRET,
    NOTIFY_ALLOW_PRIVATE: process.env.NOTIFY_ALLOW_PRIVATE || 'true',
  };
  await services.ensurePostgres(env.DATABASE_URL);
  await services.ensureDatabase(env.DATABASE_URL);
  await services.ensureRedis(env.REDIS_URL);

  await services.ensurePortFree(port, 'PORT');
  let s3;
  if (!process.env.S3_ENDPOINT) {
    await services.ensurePortFree(Number(process.env.S3_LOCAL_PORT || 4569), 'S3_LOCAL_PORT');
    const bucket = process.env.S3_BUCKET || 'botport';
    s3 = await services.startS3(path.join(root, '.local', 's3'), Number(process.env.S3_LOCAL_PORT || 4569), [bucket]);
    Object.assign(env, services.s3Env(s3.endpoint, bucket));
  }

  Object.assign(process.env, env);
  const shared = require(path.join(root, 'shared/dist'));
  const config = shared.loadConfig(env);
  const db = shared.createPool(config.DATABASE_URL, 2);
  await shared.migrate(db);
  const demo = await seedDemo(shared, db);
  const keys = await seedCredentials(shared, db, config, demo);
  await db.end();

  const children = ['api', 'worker'].map((name) => {
    const args = name === 'worker' ? shared.WORKER_NODE_ARGS : [];
    const child = spawn(process.execPath, [...args, path.join(root, name, 'dist/main.js')], { env, stdio: 'inherit' });
    child.on('exit', (code, signal) => {
      if (!stopping) {
        services.log(`${name} exited (${signal || code}); stopping`);
        stop(1);
      }
    });
    return child;
  });

  let stopping = false;
  function stop(code = 0) {
    if (stopping) return;
    stopping = true;
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null)))
      .then(() => s3 && s3.server.close())
      .finally(() => process.exit(code));
  }
  process.on('SIGINT', () => stop(0));
  process.on('SIGTERM', () => stop(0));

  // The developer is the local stack's operator too (the queue dashboard, /metrics).
  const token = shared.mintToken(
    config.JWT_SECRET,
    { sub: 'developer', tenant: DEMO_TENANT, scope: shared.ALL_SCOPES.join(' ') },
    { expiresInSeconds: 30 * 24 * 3600 },
  );
  const botToken = shared.mintToken(
    config.JWT_SECRET,
    { sub: 'developer', tenant: DEMO_TENANT, bot: demo.botId, scope: 'backup bots:read' },
    { expiresInSeconds: 30 * 24 * 3600 },
  );
  await waitForApi(port);
  process.stdout.write(
    [
      '',
      `botport is running at http://127.0.0.1:${port}`,
      `  S3 (local s3rver): ${env.S3_ENDPOINT}   bucket: ${env.S3_BUCKET}`,
      `  demo tenant: ${DEMO_TENANT}   demo bot: ${demo.name} (${demo.botId}), published version 1 and a newer DRAFT`,
      env.JWT_SECRET === DEV_SECRET ? `  JWT_SECRET is the development secret: ${DEV_SECRET}` : '  JWT_SECRET from the environment',
      `  web console: http://127.0.0.1:${port}/console/   API docs: http://127.0.0.1:${port}/console/docs.html`,
      `  queue dashboard (operator): http://127.0.0.1:${port}/admin/board/ (open it from the console's Queues link)`,
      `  CLI: export BOTPORT_URL=http://127.0.0.1:${port} BOTPORT_TOKEN=<the token below>; npx botport --help`,
      `  notifyUrl calls are signed with NOTIFY_SIGNING_SECRET=${env.NOTIFY_SIGNING_SECRET === DEV_NOTIFY_SECRET ? DEV_NOTIFY_SECRET : '(from the environment)'}`,
      '',
      'Development token (tenant "demo", every scope and the operator\'s, valid 30 days):',
      token,
      '',
      `Bot token for ${demo.name} (Xenioo backup/restore; scope "backup"):`,
      botToken,
      '',
      ...credentialLines(shared, keys, port),
      'Try:',
      `  export TOKEN=${token.slice(0, 12)}…   # the token above`,
      `  curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:${port}/v1/bots`,
      '',
      'Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
}

/** The demo bot: published once, then its draft edited, so DRAFT and 1 differ. */
async function seedDemo(shared, db) {
  const bots = new shared.BotStore(db);
  const doc = shared.validateDefinition(require('./demo-bot.json'));
  const existing = (await bots.list(DEMO_TENANT, 100)).bots.find((b) => b.name === doc.bot.name);
  if (existing && (await bots.latestPublishedVersion(DEMO_TENANT, existing.botId))) return existing;
  // A seed cut short (a crash between its steps) is done again from the start.
  if (existing) await bots.delete(DEMO_TENANT, existing.botId);
  const bot = await bots.create(DEMO_TENANT, { name: doc.bot.name, description: doc.bot.description });
  await shared.replaceDraft(db, bots, DEMO_TENANT, bot.botId, doc);
  await bots.publish(DEMO_TENANT, bot.botId, 'first release');
  await bots.upsertComponent(DEMO_TENANT, bot.botId, {
    kind: 'intent',
    locale: 'en_US',
    name: 'CancelOrder',
    body: { sampleUtterances: [{ utterance: 'cancel my order' }, { utterance: 'stop the pizza' }], slots: [] },
  });
  return bot;
}

/**
 * One development credential per platform, in the demo tenant. Secrets are
 * never shown twice, so each start rotates the ones it made before (their
 * ids stay) and prints the new secrets.
 */
async function seedCredentials(shared, db, config, demo) {
  const store = new shared.CredentialStore(db, new shared.SealedSecrets(shared.secretsKey(config)));
  const { credentials } = await store.list(DEMO_TENANT, 100);
  const wanted = {
    aws: { name: 'development: AWS CLI and SDKs (Lex SigV4)' },
    kore: { name: 'development: Kore.ai app' },
    xeniooAccount: { name: 'development: Xenioo account key' },
    xeniooBot: { name: `development: Xenioo bot key of ${demo.name}`, botId: demo.botId, scopes: ['backup', 'bots:read'] },
  };
  const keys = {};
  for (const [platform, input] of Object.entries(wanted)) {
    const existing = credentials.find((c) => c.name === input.name && c.status === 'Active' && c.botId === input.botId);
    keys[platform] = existing ? await store.rotate(DEMO_TENANT, existing.credentialId) : await store.create(DEMO_TENANT, input, 'npm start');
  }
  return keys;
}

/** How to reach the stack with each platform's own client. */
function credentialLines(shared, keys, port) {
  const url = `http://127.0.0.1:${port}`;
  const jwt = require('jsonwebtoken');
  const koreJwt = jwt.sign({ appId: keys.kore.credentialId, sub: 'developer' }, keys.kore.secret, { algorithm: 'HS256', noTimestamp: true });
  return [
    'Development credentials (tenant "demo"; new secrets on every npm start, see README "Each platform\'s own client"):',
    `  AWS CLI / boto3 / JS SDK (Lex, SigV4):  export AWS_ACCESS_KEY_ID=${keys.aws.credentialId} AWS_SECRET_ACCESS_KEY=${keys.aws.secret} AWS_DEFAULT_REGION=us-east-1`,
    `    aws lexv2-models list-bots --endpoint-url ${url}`,
    `  Kore.ai app: clientId (appId) ${keys.kore.credentialId}  clientSecret ${keys.kore.secret}`,
    `    its JWT (HS256, appId + sub): ${koreJwt}`,
    `  Xenioo account: AccountAPIKey ${shared.accountApiKey(keys.xeniooAccount.credentialId, keys.xeniooAccount.secret)}`,
    `  Xenioo bot (${keys.xeniooBot.botId}): BotAPIKey ${keys.xeniooBot.credentialId}  BotAPISecret ${keys.xeniooBot.secret}`,
    `    curl -X POST ${url}/authorization/integration -H 'Content-Type: application/json' -d '{"BotAPIKey":"${keys.xeniooBot.credentialId}","BotAPISecret":"${keys.xeniooBot.secret}"}'`,
    '',
  ];
}

async function waitForApi(port) {
  for (let i = 0; i < 100; i++) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (res.ok) return;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the api did not answer on port ${port}`);
}

main().catch((err) => {
  process.stderr.write(`botport failed to start: ${err.message}\n`);
  process.exit(1);
});

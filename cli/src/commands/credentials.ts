import { Command } from 'commander';
import type { Globals } from '../globals';
import { fields, print, table } from '../output';

interface Credential {
  credentialId: string;
  name: string;
  scopes: string[];
  botId?: string;
  status: string;
  createdAt: string;
  revokedAt?: string;
}

interface Issued extends Credential {
  secret: string;
  signIn: { aws: Record<string, string>; kore: Record<string, string>; xenioo: Record<string, string> };
}

/** The secret, once, with each platform's names for the pair; stdout only, never a log. */
function issued(c: Issued): string {
  return [
    fields({ credentialId: c.credentialId, name: c.name, scopes: c.scopes.join(' '), botId: c.botId }),
    '',
    'The secret is shown this once; store it now:',
    `  AWS (SigV4, Lex):   AWS_ACCESS_KEY_ID=${c.signIn.aws.accessKeyId} AWS_SECRET_ACCESS_KEY=${c.signIn.aws.secretAccessKey}`,
    `  Kore.ai app:        clientId (appId) ${c.signIn.kore.clientId}  clientSecret ${c.signIn.kore.clientSecret}`,
    `  Xenioo:             ${Object.entries(c.signIn.xenioo)
      .map(([k, v]) => `${k} ${v}`)
      .join('  ')}`,
  ].join('\n');
}

export function credentialsCommand(g: Globals): Command {
  const cmd = new Command('credentials').description("API credentials for the platforms' own clients (AWS SigV4, Kore.ai apps, Xenioo keys); needs admin");

  cmd
    .command('create <name>')
    .description('a new credential; its secret is printed once')
    .option('--scope <scope...>', 'the scopes it holds (default: every tenant scope but admin)')
    .option('--bot <botId>', 'limit it to one bot (a Xenioo bot key)')
    .action(async (name: string, o) => {
      const c = await g.client().json<Issued>('POST', '/v1/credentials', { name, ...(o.scope && { scopes: o.scope }), ...(o.bot && { botId: o.bot }) });
      print(g.output(), c, () => issued(c));
    });

  cmd
    .command('list')
    .description("the tenant's credentials, newest first (never their secrets)")
    .action(async () => {
      const credentials: Credential[] = [];
      let cursor: string | undefined;
      do {
        const page = await g
          .client()
          .json<{ credentials: Credential[]; nextCursor?: string }>(
            'GET',
            `/v1/credentials?${new URLSearchParams({ limit: '100', ...(cursor && { cursor }) })}`,
          );
        credentials.push(...page.credentials);
        cursor = page.nextCursor;
      } while (cursor);
      const rows = credentials.map((c) => ({ ...c, scopes: c.scopes.join(' ') }));
      print(g.output(), { credentials }, () => table(rows, ['credentialId', 'name', 'status', 'botId', 'scopes', 'createdAt']));
    });

  cmd
    .command('rotate <credentialId>')
    .description('a new secret, printed once; the old one stops working within a second')
    .action(async (id: string) => {
      const c = await g.client().json<Issued>('POST', `/v1/credentials/${encodeURIComponent(id)}/rotate`);
      print(g.output(), c, () => issued(c));
    });

  cmd
    .command('revoke <credentialId>')
    .description('refused everywhere within a second, with every token it signed in for')
    .action(async (id: string) => {
      const c = await g.client().json<Credential>('DELETE', `/v1/credentials/${encodeURIComponent(id)}`);
      print(g.output(), c, () => `revoked ${c.credentialId} (${c.name})`);
    });

  return cmd;
}

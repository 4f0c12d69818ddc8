// Only the token module: minting a token needs no database, queue or S3 client.
import { ALL_SCOPES, DEV_JWT_SECRET, mintToken, SCOPES } from '@botport/shared/tokens';
import { Command } from 'commander';
import { CliError, EXIT } from '../exit-codes';
import type { Globals } from '../globals';
import type { QueueStats, RetryResult, SweepResult } from '@botport/api';
import { fields, print, table } from '../output';

/**
 * `queue stats` and `jobs retry`: a tenant's admin sees and retries its own
 * tenant's jobs, the operator every tenant's; `sweep` is the operator's.
 */
export function queueCommand(g: Globals): Command {
  const cmd = new Command('queue').description('the job queues');
  cmd
    .command('stats')
    .description('waiting, active, failed, delayed and completed jobs per queue')
    .action(async () => {
      const stats = await g.client().json<QueueStats>('GET', '/admin/queues');
      const whose = stats.scope === 'all' ? "every tenant's jobs (operator)" : `the jobs of tenant ${stats.tenant}`;
      print(g.output(), stats, () => `${table(stats.queues, ['queue', 'waiting', 'active', 'failed', 'delayed', 'completed'])}\n(${whose})`);
    });
  return cmd;
}

export function jobsCommand(g: Globals): Command {
  const cmd = new Command('jobs').description('exports and imports, whatever their kind');
  cmd
    .command('retry <jobId>')
    .description('run a Failed export or import again, or queue again one stuck InProgress whose queue entry is lost')
    .action(async (jobId: string) => {
      const result = await g.client().json<RetryResult>('POST', `/admin/jobs/${encodeURIComponent(jobId)}/retry`);
      print(g.output(), result, () => `${result.kind} ${result.id} ${result.action}`);
    });
  return cmd;
}

export function sweepCommand(g: Globals): Command {
  return new Command('sweep')
    .description('delete jobs past their seven days and uploads no import used, now')
    .option('--dry-run', 'only count what would go')
    .action(async (o) => {
      const result = await g.client().json<SweepResult>('POST', '/admin/sweep', { dryRun: !!o.dryRun });
      const what = `${result.expired.exports} exports, ${result.expired.imports} imports, ${result.expired.uploads} uploads`;
      print(g.output(), result, () => (result.dryRun ? `would sweep ${what}` : `sweeping ${what} (queued)`));
    });
}

const DURATION = /^(\d+)([smhd])$/;
const SECONDS = { s: 1, m: 60, h: 3600, d: 86400 } as const;

/**
 * Development only: signs with JWT_SECRET, the secret of the stack the token
 * is for; with --dev-secret, with the built-in development secret (the local
 * stack's default). Never in production.
 */
export function tokenCommand(g: Globals): Command {
  const cmd = new Command('token').description('tokens for development');
  cmd
    .command('mint')
    .description('sign an HS256 token (development only: refused when NODE_ENV=production)')
    .requiredOption('--tenant <tenant>', 'the tenant it acts for')
    .option('--scope <scopes>', `space-separated, from: ${ALL_SCOPES.join(' ')}`, SCOPES.join(' '))
    .option('--bot <botId>', 'limit it to one bot')
    .option('--sub <subject>', 'who it names', 'developer')
    .option('--ttl <duration>', 'lifetime: 30m, 12h, 7d', '12h')
    .option('--dev-secret', 'sign with the built-in development secret when JWT_SECRET is not set')
    .action((o) => {
      if (process.env.NODE_ENV === 'production')
        throw new CliError('token mint is for development; production tokens come from your identity provider', EXIT.usage);
      const ttl = DURATION.exec(o.ttl);
      if (!ttl) throw new CliError(`--ttl takes a number and s, m, h or d (got '${o.ttl}')`, EXIT.usage);
      const unknown = String(o.scope)
        .split(' ')
        .filter((s) => s && !(ALL_SCOPES as readonly string[]).includes(s));
      if (unknown.length) throw new CliError(`unknown scope ${unknown.join(', ')}; known: ${ALL_SCOPES.join(' ')}`, EXIT.usage);
      const expiresInSeconds = Number(ttl[1]) * SECONDS[ttl[2] as keyof typeof SECONDS];
      // A token signed with a secret the stack does not have is refused there, with nothing to say why.
      if (!process.env.JWT_SECRET && !o.devSecret) {
        throw new CliError(
          'JWT_SECRET is not set: set it to the secret of the api the token is for (npm start prints it), or pass --dev-secret to sign with the development secret',
          EXIT.usage,
        );
      }
      const secret = process.env.JWT_SECRET || DEV_JWT_SECRET;
      const token = mintToken(
        secret,
        { sub: o.sub, tenant: o.tenant, scope: o.scope, bot: o.bot },
        { expiresInSeconds, issuer: process.env.JWT_ISSUER, audience: process.env.JWT_AUDIENCE },
      );
      const minted = { token, tenant: o.tenant, scope: o.scope, bot: o.bot, expiresAt: new Date(Date.now() + expiresInSeconds * 1000).toISOString() };
      print(g.output(), minted, () => (process.stdout.isTTY ? fields(minted) : token));
    });
  return cmd;
}

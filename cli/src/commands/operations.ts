import { DEV_JWT_SECRET, mintToken, SCOPES } from '@botport/shared';
import { Command } from 'commander';
import { CliError, EXIT } from '../exit-codes';
import type { Globals } from '../globals';
import { fields, print, table } from '../output';

/** `queue stats`, `jobs retry`, `sweep`: the admin API (scope `admin`). */
export function queueCommand(g: Globals): Command {
  const cmd = new Command('queue').description('the job queues');
  cmd
    .command('stats')
    .description('waiting, active, failed, delayed and completed jobs per queue')
    .action(async () => {
      const stats = await g.client().json<{ queues: Record<string, unknown>[] }>('GET', '/admin/queues');
      print(g.output(), stats, () => table(stats.queues, ['queue', 'waiting', 'active', 'failed', 'delayed', 'completed']));
    });
  return cmd;
}

export function jobsCommand(g: Globals): Command {
  const cmd = new Command('jobs').description('exports and imports, whatever their kind');
  cmd
    .command('retry <jobId>')
    .description('run a Failed export or import again, or queue again one stuck InProgress whose queue entry is lost')
    .action(async (jobId: string) => {
      const result = await g.client().json<{ kind: string; id: string; action: string }>('POST', `/admin/jobs/${encodeURIComponent(jobId)}/retry`);
      print(g.output(), result, () => `${result.kind} ${result.id} ${result.action}`);
    });
  return cmd;
}

export function sweepCommand(g: Globals): Command {
  return new Command('sweep')
    .description('delete jobs past their seven days and uploads no import used, now')
    .option('--dry-run', 'only count what would go')
    .action(async (o) => {
      const result = await g.client().json<{ dryRun: boolean; expired: Record<string, number> }>('POST', '/admin/sweep', { dryRun: !!o.dryRun });
      const what = `${result.expired.exports} exports, ${result.expired.imports} imports, ${result.expired.uploads} uploads`;
      print(g.output(), result, () => (result.dryRun ? `would sweep ${what}` : `sweeping ${what} (queued)`));
    });
}

const DURATION = /^(\d+)([smhd])$/;
const SECONDS = { s: 1, m: 60, h: 3600, d: 86400 } as const;

/** Development only: signs with JWT_SECRET (or the local stack's development secret). Never in production. */
export function tokenCommand(g: Globals): Command {
  const cmd = new Command('token').description('tokens for development');
  cmd
    .command('mint')
    .description('sign an HS256 token (development only: refused when NODE_ENV=production)')
    .requiredOption('--tenant <tenant>', 'the tenant it acts for')
    .option('--scope <scopes>', `space-separated, from: ${SCOPES.join(' ')}`, SCOPES.join(' '))
    .option('--bot <botId>', 'limit it to one bot')
    .option('--sub <subject>', 'who it names', 'developer')
    .option('--ttl <duration>', 'lifetime: 30m, 12h, 7d', '12h')
    .action((o) => {
      if (process.env.NODE_ENV === 'production')
        throw new CliError('token mint is for development; production tokens come from your identity provider', EXIT.usage);
      const ttl = DURATION.exec(o.ttl);
      if (!ttl) throw new CliError(`--ttl takes a number and s, m, h or d (got '${o.ttl}')`, EXIT.usage);
      const unknown = String(o.scope)
        .split(' ')
        .filter((s) => s && !(SCOPES as readonly string[]).includes(s));
      if (unknown.length) throw new CliError(`unknown scope ${unknown.join(', ')}; known: ${SCOPES.join(' ')}`, EXIT.usage);
      const expiresInSeconds = Number(ttl[1]) * SECONDS[ttl[2] as keyof typeof SECONDS];
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

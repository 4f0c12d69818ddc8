import { Command, Option } from 'commander';
import { CliError, EXIT } from '../exit-codes';
import type { Globals } from '../globals';
import { fields, print, readStdin, table } from '../output';
import type { BackupPolicy as Policy, BackupRun as Run } from '@botport/api';

const POLL_MS = 500;

const policyRow = (p: Policy) => ({
  policyId: p.policyId,
  name: p.name,
  bot: p.botId ?? '(every bot)',
  schedule: `${p.schedule} ${p.timezone}`,
  next: p.nextRuns[0],
  keep: [p.retention.keepLast && `last ${p.retention.keepLast}`, p.retention.keepDays && `${p.retention.keepDays} days`].filter(Boolean).join(', ') || 'all',
  to: p.destination.type === 's3' ? `s3://${p.destination.bucket}/${p.destination.prefix ?? ''}` : 'botport',
  enabled: p.enabled,
});

const runRows = (r: Run) =>
  r.items.map((i) => ({
    runId: r.runId,
    status: r.status,
    bot: i.botName,
    series: i.series,
    version: i.botVersion,
    outcome: i.outcome,
    sha256: i.sha256?.slice(0, 16),
    reason: i.reason,
  }));

/** `botport backups …`: backup policies, their runs and archives, and restoring one. */
export function backupsCommand(g: Globals): Command {
  const cmd = new Command('backups').description('scheduled backups: policies, runs, archives, restore');
  const base = '/v1/backup-policies';

  cmd
    .command('create <name>')
    .description("a policy: a cron schedule, what to back up, retention, and botport's bucket or your own (checked with a test write)")
    .requiredOption('--schedule <cron>', "cron expression, e.g. '0 3 * * *'")
    .option('--bot <botId>', 'one bot (default: every bot of the tenant)')
    .option('--timezone <tz>', 'IANA time zone of the schedule', 'UTC')
    .addOption(new Option('--versions <list>', 'DRAFT, published or both (comma-separated)').default('DRAFT'))
    .addOption(new Option('--format <format>', 'archive format').default('BotportJson'))
    .option('--keep-last <n>', 'keep the newest N archives per bot and series')
    .option('--keep-days <n>', 'remove archives older than N days (never the newest)')
    .option('--password-stdin', 'protect the archives with a password read from stdin')
    .option('--s3-endpoint <url>', "your bucket's S3 endpoint")
    .option('--s3-bucket <bucket>', 'your bucket')
    .option('--s3-prefix <prefix>', 'key prefix in your bucket', '')
    .option('--s3-region <region>', 'its region', 'us-east-1')
    .option('--s3-access-key-id <id>', 'its access key id (the secret key: $BOTPORT_S3_SECRET_ACCESS_KEY)')
    .option('--notify-url <url>', 'POSTed a signed event when a run fails')
    .action(async (name: string, o) => {
      const destination = o.s3Bucket
        ? {
            type: 's3',
            endpoint: o.s3Endpoint,
            bucket: o.s3Bucket,
            prefix: o.s3Prefix,
            region: o.s3Region,
            accessKeyId: o.s3AccessKeyId,
            secretAccessKey: process.env.BOTPORT_S3_SECRET_ACCESS_KEY,
          }
        : { type: 'botport' };
      if (o.s3Bucket && !process.env.BOTPORT_S3_SECRET_ACCESS_KEY)
        throw new CliError('set BOTPORT_S3_SECRET_ACCESS_KEY to the bucket key (never on the command line)', EXIT.usage);
      const body = {
        name,
        botId: o.bot,
        schedule: o.schedule,
        timezone: o.timezone,
        versions: String(o.versions).split(','),
        fileFormat: o.format,
        retention: { keepLast: o.keepLast ? Number(o.keepLast) : undefined, keepDays: o.keepDays ? Number(o.keepDays) : undefined },
        filePassword: o.passwordStdin ? await readStdin() : undefined,
        destination,
        notifyUrl: o.notifyUrl,
      };
      const policy = await g.client().json<Policy>('POST', base, body);
      print(g.output(), policy, () => fields(policyRow(policy)));
    });

  cmd
    .command('list')
    .description("the tenant's backup policies")
    .option('--bot <botId>', "this bot's (and the tenant-wide ones)")
    .action(async (o) => {
      const page = await g.client().json<{ policies: Policy[] }>('GET', `${base}?${new URLSearchParams({ limit: '100', ...(o.bot && { botId: o.bot }) })}`);
      print(g.output(), page, () => table(page.policies.map(policyRow), ['policyId', 'name', 'bot', 'schedule', 'next', 'keep', 'to', 'enabled']));
    });

  cmd
    .command('delete <policyId>')
    .description("a policy, its schedule and its archives in botport's bucket (your bucket's stay yours)")
    .action(async (policyId: string) => {
      await g.client().json('DELETE', `${base}/${encodeURIComponent(policyId)}`);
      print(g.output(), { policyId, deleted: true }, () => `deleted ${policyId}`);
    });

  cmd
    .command('run <policyId>')
    .description('run a policy now')
    .option('--wait', 'wait for the run; exit 1 if it fails')
    .option('--timeout <seconds>', 'how long --wait waits', '600')
    .action(async (policyId: string, o) => {
      const client = g.client();
      let run = await client.json<Run>('POST', `${base}/${encodeURIComponent(policyId)}/runs`);
      const deadline = Date.now() + Number(o.timeout) * 1000;
      while (o.wait && run.status === 'InProgress') {
        if (Date.now() > deadline) throw new CliError(`run ${run.runId} is still InProgress; it goes on in the background`, EXIT.jobFailed);
        await new Promise((r) => setTimeout(r, POLL_MS));
        run = await client.json<Run>('GET', `${base}/${encodeURIComponent(policyId)}/runs/${run.runId}`);
      }
      print(g.output(), run, () =>
        run.items.length ? table(runRows(run), ['runId', 'status', 'bot', 'series', 'version', 'outcome', 'sha256', 'reason']) : fields({ ...run }),
      );
      if (run.status === 'Failed') throw new CliError(`run ${run.runId} failed: ${run.failureReasons.join('; ')}`, EXIT.jobFailed);
    });

  cmd
    .command('runs <policyId>')
    .description("a policy's runs, newest first, with what each wrote")
    .option('--limit <n>', 'how many', '20')
    .action(async (policyId: string, o) => {
      const page = await g.client().json<{ runs: Run[] }>('GET', `${base}/${encodeURIComponent(policyId)}/runs?limit=${Number(o.limit)}`);
      print(g.output(), page, () => table(page.runs.flatMap(runRows), ['runId', 'status', 'bot', 'series', 'version', 'outcome', 'sha256', 'reason']));
    });

  cmd
    .command('archives <policyId>')
    .description('the archives a policy keeps')
    .action(async (policyId: string) => {
      const page = await g.client().json<{ archives: Record<string, unknown>[] }>('GET', `${base}/${encodeURIComponent(policyId)}/archives`);
      print(g.output(), page, () => table(page.archives, ['archiveId', 'botName', 'series', 'botVersion', 'sizeBytes', 'sha256', 'createdAt']));
    });

  cmd
    .command('restore <policyId> <archiveId>')
    .description("make a backup the bot's DRAFT again (an import with Replace: undo it with `imports undo`)")
    .option('--dry-run', 'show the plan only')
    .action(async (policyId: string, archiveId: string, o) => {
      const query = o.dryRun ? '?dryRun=true' : '';
      const job = await g
        .client()
        .json<{ importId: string; status: string }>(
          'POST',
          `${base}/${encodeURIComponent(policyId)}/archives/${encodeURIComponent(archiveId)}/restore${query}`,
        );
      print(g.output(), job, () => `restoring as import ${job.importId} (${job.status}); follow it with: botport imports describe ${job.importId}`);
    });

  return cmd;
}

import fs from 'node:fs';
import { Command, Option } from 'commander';
import { CliError, EXIT } from '../exit-codes';
import type { Globals } from '../globals';
import { jobListCommand } from '../job-list';
import { fields, print, readStdin } from '../output';
import { waitFor } from '../waiting';
// The api's own response types (its OpenAPI schemas), nothing copied.
import type { ImportJob } from '@botport/api';
import { addPlanAndUndo } from './import-plan';

const summary = (j: ImportJob) => ({
  importId: j.importId,
  status: j.status === 'InProgress' ? `InProgress ${j.progress}%` : j.status,
  bot: j.botName,
  botId: j.botId,
  merge: j.mergeStrategy,
  added: j.summary?.added,
  replaced: j.summary?.replaced,
  kept: j.summary?.kept,
  created: j.createdAt,
});

export function importsCommand(g: Globals): Command {
  const cmd = new Command('imports').description('import archives and follow imports');

  cmd
    .command('start <archive>')
    .description('import a zip: as a new bot (default), into a bot, or into one locale of a bot')
    .option('--bot <botId>', 'into this bot')
    .option('--locale <localeId>', 'into this locale of --bot')
    .option('--bot-name <name>', 'into the bot of this name (created when missing)')
    .addOption(
      new Option('--merge <strategy>', 'when a component exists').choices(['FailOnConflict', 'Overwrite', 'Append', 'Replace']).default('FailOnConflict'),
    )
    .option('--draft-revision <n>', "apply a plan: refused unless the DRAFT is still at the plan's revision")
    .option('--password-stdin', "the archive's password, read from stdin")
    .option('--notify-url <url>', 'POSTed a signed event once the import ends')
    .option('--wait', 'wait for it to finish, with a progress bar; exit 1 if it fails')
    .option('--timeout <seconds>', 'how long --wait waits', '600')
    .action(async (archive: string, o) => {
      if (!fs.existsSync(archive)) throw new CliError(`${archive}: no such file`, EXIT.usage);
      const query = new URLSearchParams({ mergeStrategy: o.merge });
      if (o.bot) query.set('botId', o.bot);
      if (o.locale) query.set('localeId', o.locale);
      if (o.botName) query.set('botName', o.botName);
      if (o.notifyUrl) query.set('notifyUrl', o.notifyUrl);
      if (o.draftRevision !== undefined) query.set('draftRevision', String(o.draftRevision));
      const headers: Record<string, string> = {};
      if (o.passwordStdin) headers['botport-file-password'] = await readStdin();
      const client = g.client();
      let job = await client.upload<ImportJob>('POST', `/v1/imports?${query}`, fs.createReadStream(archive), 'application/zip', headers);
      if (o.wait) job = await waitFor<ImportJob>(client, `/v1/imports/${job.importId}`, `import ${job.importId}`, Number(o.timeout));
      print(g.output(), job, () => fields(summary(job)));
    });

  cmd
    .command('describe <importId>')
    .description("an import's status and result")
    .action(async (importId: string) => {
      const job = await g.client().json<ImportJob>('GET', `/v1/imports/${encodeURIComponent(importId)}`);
      print(g.output(), job, () =>
        fields({ ...summary(job), failureReasons: job.failureReasons.length ? job.failureReasons : undefined, notes: job.summary?.notes }),
      );
    });

  addPlanAndUndo(g, cmd);
  cmd.addCommand(jobListCommand<ImportJob>(g, 'imports', summary, ['importId', 'status', 'bot', 'botId', 'merge', 'added', 'created']));

  return cmd;
}

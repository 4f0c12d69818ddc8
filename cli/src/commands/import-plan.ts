import fs from 'node:fs';
import { type Command, Option } from 'commander';
import { CliError, EXIT } from '../exit-codes';
import type { Globals } from '../globals';
import { print, readStdin } from '../output';
import { waitFor } from '../waiting';
import type { ImportJob } from '@botport/api';

// The api's own response types: an import job, and the plan a dry run keeps on it.
type PlanJob = ImportJob;
type Plan = NonNullable<ImportJob['plan']>;
type Id = Plan['components']['create'][number];

const label = (c: Id) => `${c.kind} ${c.name}${c.locale ? ` (${c.locale})` : ''}`;

function human(p: Plan): string {
  const lines = [
    `plan: ${p.outcome === 'applies' ? 'the import applies' : 'the import would FAIL'} (${p.target.botCreated ? 'new bot' : 'bot'} ${p.target.botName})`,
  ];
  for (const r of p.failureReasons) lines.push(`  ! ${r}`);
  for (const c of p.components.create) lines.push(`+ ${label(c)}`);
  for (const c of p.components.update) lines.push(`~ ${label(c)}: ${c.pointers.join(', ')}`);
  for (const c of p.components.delete) lines.push(`- ${label(c)}`);
  for (const c of p.conflicts) lines.push(`conflict ${label(c)}: ${c.outcome}`);
  for (const m of p.missingDependencies) lines.push(`missing ${label(m.references)} (referenced by ${label(m)})`);
  for (const n of p.notes) lines.push(`note: ${n}`);
  return lines.join('\n');
}

/** `imports plan` and `imports undo`, added to the imports command group. */
export function addPlanAndUndo(g: Globals, imports: Command): void {
  imports
    .command('plan <archive>')
    .description('what importing the zip would do (a dry run: nothing changes); apply it with `imports start --draft-revision N`')
    .option('--bot <botId>', 'into this bot')
    .option('--locale <localeId>', 'into this locale of --bot')
    .option('--bot-name <name>', 'into the bot of this name (created when missing)')
    .addOption(
      new Option('--merge <strategy>', 'when a component exists').choices(['FailOnConflict', 'Overwrite', 'Append', 'Replace']).default('FailOnConflict'),
    )
    .option('--password-stdin', "the archive's password, read from stdin")
    .option('--timeout <seconds>', 'how long to wait for the plan', '600')
    .action(async (archive: string, o) => {
      if (!fs.existsSync(archive)) throw new CliError(`${archive}: no such file`, EXIT.usage);
      const query = new URLSearchParams({ mergeStrategy: o.merge, dryRun: 'true' });
      if (o.bot) query.set('botId', o.bot);
      if (o.locale) query.set('localeId', o.locale);
      if (o.botName) query.set('botName', o.botName);
      const headers: Record<string, string> = o.passwordStdin ? { 'botport-file-password': await readStdin() } : {};
      const client = g.client();
      const started = await client.upload<PlanJob>('POST', `/v1/imports?${query}`, fs.createReadStream(archive), 'application/zip', headers);
      const job = await waitFor<PlanJob>(client, `/v1/imports/${started.importId}`, `plan ${started.importId}`, Number(o.timeout));
      print(g.output(), job.plan, () => human(job.plan as Plan));
      if (job.plan?.outcome === 'fails') throw new CliError('the import would fail', EXIT.jobFailed);
    });

  imports
    .command('undo <importId>')
    .description('put the DRAFT back exactly as it was before the import (refused when the DRAFT changed since)')
    .action(async (importId: string) => {
      const result = await g.client().json<Record<string, unknown>>('POST', `/v1/imports/${encodeURIComponent(importId)}/undo`);
      print(
        g.output(),
        result,
        () => `undone: ${importId} (${result.botDeleted ? 'the bot it had created is deleted' : `${result.restored} restored, ${result.removed} removed`})`,
      );
    });
}

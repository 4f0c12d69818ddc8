import fs from 'node:fs';
import { Command } from 'commander';
import { CliError, EXIT } from '../exit-codes';
import type { Globals } from '../globals';
import { print } from '../output';
import type { BotDiff as Diff, ComponentId as Id } from '@botport/api';

const label = (c: Id) => `${c.kind} ${c.name}${c.locale ? ` (${c.locale})` : ''}`;

/** A diff as a person reads one: + added, - removed, ~ changed with its pointers. */
function human(d: Diff): string {
  const lines = [`${d.from.ref} (${d.from.format}) → ${d.to.ref} (${d.to.format}), compared as ${d.comparedAs}`];
  for (const p of d.bot.changed) lines.push(`~ bot ${p}`);
  for (const c of d.added) lines.push(`+ ${label(c)}`);
  for (const c of d.removed) lines.push(`- ${label(c)}`);
  for (const c of d.changed) lines.push(`~ ${label(c)}: ${c.pointers.join(', ')}`);
  if (!d.bot.changed.length && !d.added.length && !d.removed.length && !d.changed.length) lines.push('no differences');
  lines.push(`${d.unchanged} unchanged${d.truncated ? ' (lists truncated)' : ''}`);
  for (const n of d.notes) lines.push(`note: ${n}`);
  return lines.join('\n');
}

/** `botport diff <botId> --from A --to B` (or --to-file archive.zip): what differs, component by component. */
export function diffCommand(g: Globals): Command {
  return new Command('diff')
    .description('compare two of: DRAFT, a version, export:ID, upload:ID, backup:ID, or a local archive')
    .argument('<botId>')
    .requiredOption('--from <side>', 'DRAFT, a version number, export:ID, upload:ID or backup:ID')
    .option('--to <side>', 'the other side', 'DRAFT')
    .option('--to-file <archive>', 'compare --from with this zip instead')
    .option('--exit-code', 'exit 1 when the sides differ (for scripts)')
    .action(async (botId: string, o) => {
      const client = g.client();
      const path = `/v1/bots/${encodeURIComponent(botId)}/diff`;
      let diff: Diff;
      if (o.toFile) {
        if (!fs.existsSync(o.toFile)) throw new CliError(`${o.toFile}: no such file`, EXIT.usage);
        diff = await client.upload<Diff>('POST', `${path}?${new URLSearchParams({ from: o.from })}`, fs.createReadStream(o.toFile), 'application/zip');
      } else diff = await client.json<Diff>('GET', `${path}?${new URLSearchParams({ from: o.from, to: o.to })}`);
      print(g.output(), diff, () => human(diff));
      const differs = diff.bot.changed.length + diff.added.length + diff.removed.length + diff.changed.length > 0;
      if (o.exitCode && differs) throw new CliError('the sides differ', EXIT.jobFailed);
    });
}

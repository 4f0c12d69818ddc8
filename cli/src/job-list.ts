import { Command } from 'commander';
import type { Globals } from './globals';
import { print, table } from './output';

/** `exports list` and `imports list`: the last seven days, newest first, as a table or --json. */
export function jobListCommand<J>(g: Globals, plural: 'exports' | 'imports', summary: (job: J) => Record<string, unknown>, columns: string[]): Command {
  return new Command('list')
    .description(`${plural} of the last seven days, newest first`)
    .option('--bot <botId>', `one bot's ${plural}`)
    .option('--limit <n>', 'at most this many', '50')
    .action(async (o) => {
      const query = new URLSearchParams({ limit: o.limit, ...(o.bot && { botId: o.bot }) });
      const page = await g.client().json<Record<string, J[]> & { nextToken?: string }>('GET', `/v1/${plural}?${query}`);
      print(g.output(), page, () => table(page[plural].map(summary), columns));
    });
}

import fs from 'node:fs';
import { Command } from 'commander';
import { CliError, EXIT } from '../exit-codes';
import type { Globals } from '../globals';
import { print, table } from '../output';
import { saveFile } from '../saved-file';
import type { Bot, BotPage, DraftReplaced } from '@botport/api';

export function botsCommand(g: Globals): Command {
  const cmd = new Command('bots').description('list bots; back one up as a definition document and restore it');

  cmd
    .command('list')
    .description("the tenant's bots")
    .action(async () => {
      const bots: Bot[] = [];
      let cursor: string | undefined;
      do {
        const page = await g.client().json<BotPage>('GET', `/v1/bots?${new URLSearchParams({ limit: '100', ...(cursor && { cursor }) })}`);
        bots.push(...page.bots);
        cursor = page.nextCursor;
      } while (cursor);
      print(g.output(), { bots }, () => table(bots as unknown as Record<string, unknown>[], ['botId', 'name', 'updatedAt', 'description']));
    });

  cmd
    .command('backup <botId>')
    .description('save a version as a definition document (JSON), streamed')
    .option('--version <version>', 'DRAFT or a published number', 'DRAFT')
    .option('-o, --output <file>', 'where to save it (default: {botId}-{version}.json)')
    .action(async (botId: string, o) => {
      const file = o.output ?? `${botId}-${o.version}.json`;
      const res = await g.client().stream('GET', `/v1/bots/${encodeURIComponent(botId)}/versions/${encodeURIComponent(o.version)}`);
      const saved = { ...(await saveFile(res.body!, file)), botId, version: o.version };
      print(g.output(), saved, () => `saved ${file} (${saved.sizeBytes} bytes, sha256 ${saved.sha256})`);
    });

  cmd
    .command('restore <file>')
    .description("replace a bot's DRAFT with a backup; without --bot, a new bot named as in the backup")
    .option('--bot <botId>', 'the bot whose DRAFT is replaced')
    .action(async (file: string, o) => {
      if (!fs.existsSync(file)) throw new CliError(`${file}: no such file`, EXIT.usage);
      const client = g.client();
      let botId: string = o.bot;
      if (!botId) {
        let doc: { bot?: { name?: string; description?: string } };
        try {
          doc = JSON.parse(fs.readFileSync(file, 'utf8'));
        } catch (err) {
          throw new CliError(`${file} is not a definition document: ${(err as Error).message}`, EXIT.usage);
        }
        if (!doc.bot?.name) throw new CliError(`${file} names no bot (bot.name)`, EXIT.usage);
        botId = (await client.json<Bot>('POST', '/v1/bots', { name: doc.bot.name, description: doc.bot.description })).botId;
      }
      const result = await client.upload<DraftReplaced>(
        'PUT',
        `/v1/bots/${encodeURIComponent(botId)}/versions/DRAFT`,
        fs.createReadStream(file),
        'application/json',
      );
      print(g.output(), result, () => `restored ${result.components} components into the DRAFT of bot ${result.botId}`);
    });

  return cmd;
}

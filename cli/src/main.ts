import { Command, CommanderError } from 'commander';
import { Client } from './client';
import { backupsCommand } from './commands/backups';
import { botsCommand } from './commands/bots';
import { diffCommand } from './commands/diff';
import { credentialsCommand } from './commands/credentials';
import { exportsCommand } from './commands/exports';
import { importsCommand } from './commands/imports';
import { jobsCommand, queueCommand, sweepCommand, tokenCommand } from './commands/operations';
import { CliError, EXIT } from './exit-codes';
import type { Globals } from './globals';

/**
 * `botport`: the operators' CLI. It talks to a running api (BOTPORT_URL,
 * BOTPORT_TOKEN), so it works the same against the local stack and a
 * deployment; only `token mint` works offline.
 */
export function program(): Command {
  const root = new Command('botport')
    .description("botport's operations CLI: exports, imports, bots, backups, diffs, credentials, queues")
    .option('--url <url>', 'the api (BOTPORT_URL)', process.env.BOTPORT_URL || 'http://127.0.0.1:7070')
    // No default shown: --help must never print the token itself.
    .option('--token <jwt>', 'a bearer token (default: $BOTPORT_TOKEN)')
    .option('--json', 'print JSON on stdout, for scripts');
  const globals: Globals = {
    client: () => new Client({ url: root.opts().url, token: root.opts().token ?? (process.env.BOTPORT_TOKEN || undefined) }),
    output: () => ({ json: !!root.opts().json }),
  };
  for (const cmd of [
    exportsCommand,
    importsCommand,
    botsCommand,
    backupsCommand,
    diffCommand,
    credentialsCommand,
    queueCommand,
    jobsCommand,
    sweepCommand,
    tokenCommand,
  ])
    root.addCommand(cmd(globals));
  // Every level throws instead of exiting, so run() decides the exit status.
  const all = (c: Command): Command[] => [c, ...c.commands.flatMap(all)];
  for (const c of all(root)) c.exitOverride().showHelpAfterError();
  return root;
}

/** Runs the command line and exits with a status a script can act on (see exit-codes.ts). */
export async function run(argv: string[]): Promise<void> {
  const cli = program();
  try {
    await cli.parseAsync(argv);
    process.exitCode = EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version are not failures; everything else commander rejects is a usage error.
      process.exitCode = err.exitCode === 0 ? EXIT.ok : EXIT.usage;
      return;
    }
    const json = !!cli.opts().json;
    const message = err instanceof CliError ? err.message : `unexpected error: ${(err as Error).stack ?? err}`;
    const code = err instanceof CliError ? err.exitCode : EXIT.unavailable;
    process.stderr.write(json ? `${JSON.stringify({ error: message, exitCode: code })}\n` : `botport: ${message}\n`);
    process.exitCode = code;
  }
}

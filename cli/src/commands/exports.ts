import { Command, Option } from 'commander';
import { CliError, EXIT } from '../exit-codes';
import { jobListCommand } from '../job-list';
import { fields, print, progressBar, readStdin } from '../output';
import { saveFile } from '../saved-file';
import { waitFor } from '../waiting';
import type { Globals } from '../globals';
import type { ExportJob } from '@botport/api';

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** `--category settings=botSettings,botVariables` (repeatable) → exportOptions.categories. */
function categories(values: string[]): Record<string, string[]> | undefined {
  if (!values.length) return undefined;
  return Object.fromEntries(
    values.map((v) => {
      const [category, items = ''] = v.split('=');
      if (!category) throw new CliError(`--category takes category=item,item (got '${v}')`, EXIT.usage);
      return [category, items.split(',').filter(Boolean)];
    }),
  );
}

async function download(g: Globals, exportId: string, file: string | undefined): Promise<{ file: string; sizeBytes: number; sha256: string }> {
  const job = await g.client().json<ExportJob>('GET', `/v1/exports/${encodeURIComponent(exportId)}`);
  if (job.status !== 'Completed' || !job.downloadUrl)
    throw new CliError(`export ${exportId} is ${job.status}; only a Completed export can be downloaded`, EXIT.refused);
  const target = file ?? `${job.botName.replace(/[^\w.-]+/g, '_')}-${exportId}.zip`;
  const res = await fetch(job.downloadUrl);
  if (!res.ok || !res.body) throw new CliError(`the download failed: ${res.status} ${res.statusText}`, EXIT.unavailable);
  const total = job.sizeBytes ?? 0;
  const draw = progressBar(`download ${exportId}`);
  return saveFile(res.body, target, {
    onBytes: (received) => total && draw(Math.floor((received / total) * 100)),
    check: (sha256) => {
      if (job.sha256 && sha256 !== job.sha256)
        throw new CliError(`the download's SHA-256 ${sha256} does not match the export's ${job.sha256}`, EXIT.unavailable);
    },
  });
}

const summary = (j: ExportJob) => ({
  exportId: j.exportId,
  bot: j.botName,
  version: j.botVersion,
  locale: j.localeId,
  format: j.fileFormat,
  status: j.status === 'InProgress' ? `InProgress ${j.progress}%` : j.status,
  size: j.sizeBytes,
  created: j.createdAt,
});

/** One export for a person: its summary, its SHA-256, and why it failed or what it left out. */
const details = (j: ExportJob) =>
  fields({
    ...summary(j),
    sha256: j.sha256,
    failureReasons: j.failureReasons.length ? j.failureReasons : undefined,
    notes: j.notes.length ? j.notes : undefined,
  });

export function exportsCommand(g: Globals): Command {
  const cmd = new Command('exports').description('create, follow, list, download and delete exports');

  cmd
    .command('create')
    .description('export a bot (whole, one locale, or filtered)')
    .requiredOption('--bot <botId>', 'the bot to export')
    .option('--version <version>', 'DRAFT or a published number', 'DRAFT')
    .option('--locale <localeId>', 'one locale only')
    .addOption(new Option('--format <format>', 'archive format').choices(['BotportJson', 'LexJson', 'EddiZip', 'KoreJson']).default('BotportJson'))
    .option('--category <category=items>', 'only these items of a category, e.g. settings=botSettings (repeatable)', collect, [])
    .option('--dialog <name>', 'only this dialog task (repeatable)', collect, [])
    .option('--alert <name>', 'only this alert task (repeatable)', collect, [])
    .option('--action <name>', 'only this action task (repeatable)', collect, [])
    .option('--with-dependents', 'also the tasks the named ones depend on')
    .option('--password-stdin', 'protect the archive with a password read from stdin (AES-256)')
    .option('--idempotency-key <key>', 'the same key and options give the same export')
    .option('--notify-url <url>', 'POSTed a signed event once the export ends')
    .option('--wait', 'wait for it to finish, with a progress bar; exit 1 if it fails')
    .option('--timeout <seconds>', 'how long --wait waits', '600')
    .action(async (o) => {
      const subTasks = Object.fromEntries(
        (['dialogs', 'alerts', 'actions'] as const).map((k) => [k, o[k.slice(0, -1)] as string[]]).filter(([, names]) => names.length),
      );
      const exportOptions = {
        categories: categories(o.category),
        subTasks: Object.keys(subTasks).length ? subTasks : undefined,
        includeDependentTasks: o.withDependents || undefined,
      };
      const body = {
        botId: o.bot,
        botVersion: o.version,
        localeId: o.locale,
        fileFormat: o.format,
        filePassword: o.passwordStdin ? await readStdin() : undefined,
        notifyUrl: o.notifyUrl,
        exportOptions: Object.values(exportOptions).some((v) => v !== undefined) ? exportOptions : undefined,
      };
      const client = g.client();
      let job = await client.json<ExportJob>('POST', '/v1/exports', body, o.idempotencyKey ? { 'idempotency-key': o.idempotencyKey } : {});
      if (o.wait) job = await waitFor<ExportJob>(client, `/v1/exports/${job.exportId}`, `export ${job.exportId}`, Number(o.timeout));
      print(g.output(), job, () => details(job));
    });

  cmd
    .command('describe <exportId>')
    .description("an export's status, size and SHA-256")
    .action(async (exportId: string) => {
      const job = await g.client().json<ExportJob>('GET', `/v1/exports/${encodeURIComponent(exportId)}`);
      print(g.output(), job, () => details(job));
    });

  cmd.addCommand(jobListCommand<ExportJob>(g, 'exports', summary, ['exportId', 'bot', 'version', 'locale', 'format', 'status', 'size', 'created']));

  cmd
    .command('delete <exportId>')
    .description('delete an export and its archive')
    .action(async (exportId: string) => {
      const job = await g.client().json<ExportJob>('DELETE', `/v1/exports/${encodeURIComponent(exportId)}`);
      print(g.output(), job, () => `export ${exportId} is being deleted`);
    });

  cmd
    .command('download <exportId>')
    .description('save the archive, checked against its SHA-256')
    .option('-o, --output <file>', 'where to save it (default: {bot}-{exportId}.zip)')
    .option('--wait', 'wait for the export to finish first, with a progress bar')
    .option('--timeout <seconds>', 'how long --wait waits', '600')
    .action(async (exportId: string, o) => {
      if (o.wait) await waitFor<ExportJob>(g.client(), `/v1/exports/${encodeURIComponent(exportId)}`, `export ${exportId}`, Number(o.timeout));
      const saved = await download(g, exportId, o.output);
      print(g.output(), saved, () => `saved ${saved.file} (${saved.sizeBytes} bytes, sha256 ${saved.sha256})`);
    });

  return cmd;
}

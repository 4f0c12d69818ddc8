import type { ZipEntry } from '../../archive/zip-writer';
import type { ArchiveFormat, FormatInput, Json } from '../format';
import {
  BOT_TYPES,
  contentOf,
  derivedEddiId,
  describeResource,
  descriptorPath,
  EXTRA_FILES,
  type ExtraFiles,
  identityOf,
  IMPORTED_AS,
  LOCALE_MARK,
  parseResourceFile,
  parseUri,
  RESOURCE,
  type ResourceMeta,
  urisIn,
} from './layout';

/** EDDI pretty-prints its files; botport writes them compact (less to deflate), which EDDI reads alike. */
const file = (name: string, value: unknown): ZipEntry => ({ name, data: Buffer.from(JSON.stringify(value), 'utf8') });

function* extraFiles(files: ExtraFiles | undefined): Generator<ZipEntry> {
  for (const [name, content] of Object.entries(files ?? {})) {
    yield 'json' in content ? file(name, content.json) : { name, data: Buffer.from(content.base64, 'base64') };
  }
}

/**
 * The bot's descriptor as botport knows the bot now: EDDI's own as it came,
 * unless the bot was renamed or re-described in botport since its import.
 */
function botDescriptor(input: FormatInput, body: Json, meta: ResourceMeta): Json {
  const imported = (body[IMPORTED_AS] ?? {}) as { name?: string; description?: string };
  const { name, description } = input.header;
  const descriptor = { ...meta.descriptor };
  if (name !== imported.name) descriptor.name = name;
  if (description !== imported.description) descriptor.description = description;
  return descriptor;
}

/**
 * EDDI's own backup zip (see layout.ts), so EDDI's `POST /backup/import`
 * takes what botport exports: every resource a bot imported from EDDI had,
 * at the path it had, its JSON as EDDI wrote it, its descriptor beside it.
 * A bot EDDI never saw gets a bot file of its own; what EDDI has no place
 * for (a Lex intent, a Kore dialog) is left out and noted. References to a
 * resource the export does not hold (left out by the export options) are
 * noted too, as EDDI would refuse them.
 */
export const eddiZip: ArchiveFormat = {
  name: 'EddiZip',
  label: 'EDDI',
  namespace: 'eddi',
  holds: (_c, body) => RESOURCE in body || LOCALE_MARK in body,
  describe: (c, body) =>
    RESOURCE in body
      ? describeResource(body[RESOURCE] as ResourceMeta)
      : LOCALE_MARK in body
        ? `EDDI locale '${c.locale}' (for resources without a language)`
        : undefined,
  async *entries(input: FormatInput): AsyncGenerator<ZipEntry> {
    const written = new Set<string>();
    const referenced = new Map<string, string>();
    const pipelines: string[] = [];
    let botWritten = false;

    for await (const c of input.components) {
      const body = c.body ?? (JSON.parse(c.bodyJson) as Json);
      const meta = body[RESOURCE] as ResourceMeta | undefined;
      if (!meta) continue; // the locale EDDI's language-less resources live in
      const r = parseResourceFile(meta.file);
      const isBot = !!r && !r.folder && BOT_TYPES.has(r.type);
      const content = contentOf(body);
      yield file(meta.file, content);
      if (r && meta.descriptor) yield file(descriptorPath(r), isBot ? botDescriptor(input, body, meta) : meta.descriptor);
      if (r) written.add(identityOf(r, meta.descriptor));
      if (r && (r.type === 'package' || r.type === 'workflow')) pipelines.push(String(meta.descriptor?.resource ?? ''));
      for (const uri of urisIn(content)) if (!referenced.has(uri)) referenced.set(uri, describeResource(meta));
      if (isBot) {
        botWritten = true;
        yield* extraFiles(body[EXTRA_FILES] as ExtraFiles | undefined);
      }
    }
    if (!botWritten) yield* ownBotFiles(input, pipelines.filter(Boolean));
    for (const [uri, by] of referenced) {
      const { id, version } = parseUri(uri)!;
      if (!written.has(`${id}@${version}`)) input.note(`${by} refers to ${uri}, which this export does not hold; EDDI will refuse that reference`);
    }
  },
};

/** A bot file for a bot EDDI never saw (or whose EddiBot the export options left out): its packages, its name. */
function* ownBotFiles(input: FormatInput, pipelines: string[]): Generator<ZipEntry> {
  const id = derivedEddiId(input.header.botId);
  const v6 = pipelines.some((uri) => uri.startsWith('eddi://ai.labs.workflow/'));
  const version = /^[1-9][0-9]*$/.test(input.header.version) ? input.header.version : '1';
  yield file(`${id}.${v6 ? 'agent' : 'bot'}.json`, v6 ? { workflows: pipelines, channels: [] } : { packages: pipelines, channels: [] });
  yield file(`${id}.descriptor.json`, {
    resource: v6 ? `eddi://ai.labs.agent/agentstore/agents/${id}?version=${version}` : `eddi://ai.labs.bot/botstore/bots/${id}?version=${version}`,
    name: input.header.name,
    description: input.header.description,
    deleted: false,
  });
}

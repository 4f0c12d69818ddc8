import { createHash } from 'node:crypto';
import type { ComponentKind } from '../../bots/kinds';
import type { Json } from '../format';

/**
 * What the EddiZip reader and writer share: the layout of EDDI's backup zip
 * (`POST /backup/export/{botId}`), the same from EDDI 4 to EDDI 6:
 *
 *   {botId}.bot.json + {botId}.descriptor.json                 the bot (EDDI 6: {agentId}.agent.json)
 *   {packageId}/{version}/{packageId}.package.json             a package (EDDI 6: .workflow.json)
 *   {packageId}/{version}/{id}.{type}.json + {id}.descriptor.json   each resource the package runs
 *
 * Every `{id}.{type}.json` becomes one component holding the file's JSON as
 * its body, verbatim, plus `eddi:resource` (the file's path and its
 * descriptor), so a re-export writes the same files. The bot itself is the
 * bot-level settings component `EddiBot`.
 */
export const RESOURCE = 'eddi:resource';
/** On EddiBot: files of the archive that are no resource, kept as they are (JSON, or base64). */
export const EXTRA_FILES = 'eddi:files';
/** On EddiBot: the name and description botport gave the bot on import, to tell a later rename apart. */
export const IMPORTED_AS = 'eddi:importedAs';
/** A body that is not a JSON object is kept under this key. */
export const CONTENT = 'eddi:content';
/** The body of the locale that holds EDDI's language-less NLU and responses. */
export const LOCALE_MARK = 'eddi:locale';

export const EDDI_BOT = 'EddiBot';
/**
 * EDDI's dictionaries, rules and outputs have no language; botport files the
 * ones whose kinds are locale-scoped under `und_001` (BCP 47 "undetermined",
 * region "world"), which no other platform takes for a language of its own.
 */
export const EDDI_LOCALE = 'und_001';

export interface ResourceMeta {
  /** The file's path in the archive, `/`-separated. */
  file: string;
  /** The `{id}.descriptor.json` beside it, or null when the archive had none. */
  descriptor: Json | null;
}
export type ExtraFiles = Record<string, { json: unknown } | { base64: string }>;

/** The botport kind of each resource type (the `{type}` of `{id}.{type}.json`); a type not listed is kept as botSettings. */
export const KIND_OF_TYPE: Record<string, ComponentKind> = {
  bot: 'botSettings',
  agent: 'botSettings',
  package: 'dialog',
  workflow: 'dialog',
  behavior: 'rules',
  rules: 'rules',
  regulardictionary: 'concepts',
  dictionary: 'concepts',
  output: 'standardResponses',
  httpcalls: 'action',
  apicalls: 'action',
  mcpcalls: 'action',
  property: 'botVariables',
  langchain: 'genAIandLLMSettings',
  llm: 'genAIandLLMSettings',
  snippet: 'genAIandLLMSettings',
  rag: 'knowledgeGraph',
  schedule: 'alert',
};
export const BOT_TYPES = new Set(['bot', 'agent']);

/** `{folder}/{id}.{type}.json`: a resource file, or a descriptor (type `descriptor`). */
const RESOURCE_FILE = /^(?:(.*)\/)?([^/]+)\.([A-Za-z0-9]+)\.json$/;

export interface ResourceName {
  folder: string;
  id: string;
  type: string;
}

export function parseResourceFile(path: string): ResourceName | undefined {
  const m = RESOURCE_FILE.exec(path);
  return m ? { folder: m[1] ?? '', id: m[2], type: m[3] } : undefined;
}

export function descriptorPath(r: { folder: string; id: string }): string {
  return r.folder ? `${r.folder}/${r.id}.descriptor.json` : `${r.id}.descriptor.json`;
}

/** `eddi://ai.labs.package/packagestore/packages/{id}?version={n}` → id and version. */
const URI = /^eddi:\/\/ai\.labs\.[A-Za-z.]+\/[A-Za-z]+\/[A-Za-z]+\/([^/?]+)\?version=(\d+)$/;

export function parseUri(value: string): { id: string; version: string } | undefined {
  const m = URI.exec(value);
  return m ? { id: m[1], version: m[2] } : undefined;
}

/** Every string of a resource's JSON that is an `eddi://` resource URI, in document order. */
export function urisIn(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') {
    if (parseUri(value)) out.push(value);
  } else if (Array.isArray(value)) value.forEach((v) => urisIn(v, out));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => urisIn(v, out));
  return out;
}

/** The resource's identity `id@version`, by its descriptor's `resource` URI, else by its folder. */
export function identityOf(r: ResourceName, descriptor: Json | null): string {
  const uri = typeof descriptor?.resource === 'string' ? parseUri(descriptor.resource) : undefined;
  return uri ? `${uri.id}@${uri.version}` : `${r.id}@${r.folder.split('/').pop() || '1'}`;
}

/** A resource file's JSON as a component body: an object as it is, anything else under CONTENT. */
export function bodyOf(content: unknown, meta: ResourceMeta): Json {
  const own = content && typeof content === 'object' && !Array.isArray(content) ? (content as Json) : { [CONTENT]: content };
  return { ...own, [RESOURCE]: meta };
}

/** The resource file's JSON from a component body: the body without botport's `eddi:` keys. */
export function contentOf(body: Json): unknown {
  if (CONTENT in body) return body[CONTENT];
  return Object.fromEntries(Object.entries(body).filter(([k]) => !k.startsWith('eddi:')));
}

/** How notes name an EDDI resource: `EDDI httpcalls 'Weather'` (its descriptor's name, else its id). */
export function describeResource(meta: ResourceMeta): string {
  const r = parseResourceFile(meta.file);
  const name = typeof meta.descriptor?.name === 'string' && meta.descriptor.name ? meta.descriptor.name : r?.id;
  return `EDDI ${r?.type ?? 'resource'} '${name}'`;
}

/** An id in EDDI's shape (24 hex digits, as MongoDB's) for a bot EDDI never saw, the same on every export. */
export function derivedEddiId(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 24);
}

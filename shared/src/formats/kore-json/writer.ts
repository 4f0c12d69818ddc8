import type { ZipEntry } from '../../archive/zip-writer';
import { namesTasks } from '../../exports/selection';
import type { ArchiveFormat, FormatInput, Json } from '../format';
import {
  COMPONENTS,
  COMPONENTS_KEY,
  CONFIG,
  CONFIG_FILE,
  DEFINITION_FILE,
  DEFINITION_KEY,
  describeKore,
  ENV_KEY,
  FILES,
  IMPORTED_AS,
  INDEX,
  ITEM_KINDS,
  KEY,
  KEYS,
  LANGUAGE,
  languageOfLocale,
  LOCALE_DATA,
  LOCALE_KEY,
  SENTENCES,
  SENTENCES_KEY,
  SYNONYMS_KEY,
  TASK_ID,
  TASK_KEYS,
  VALUE,
  VALUE_KINDS,
} from './layout';
import { Chunks, type Spooled, Spool } from './spool';

type Indexed = { index: number; value: Json };

/**
 * The items of one array of botDefinition.json waiting in the spool, held as
 * columns (a bot may have hundreds of thousands of sentences): each one's
 * original position, where it lies in the spool, and — for nodes, which two
 * dialogs may share — its id. Arrival order breaks ties.
 */
class Parts {
  readonly order: number[] = [];
  readonly offset: number[] = [];
  readonly length: number[] = [];
  readonly id: (string | undefined)[] = [];

  add(order: number, at: Spooled, id?: string): void {
    this.order.push(order);
    this.offset.push(at.offset);
    this.length.push(at.length);
    this.id.push(id);
  }

  /** Indexes in the order the array is written: by original position, then arrival. */
  sorted(): Uint32Array {
    return Uint32Array.from(this.order.keys()).sort((a, b) => this.order[a] - this.order[b] || a - b);
  }
}

/** The keys of a bot Kore never saw, in the order Kore's exports have them. */
const DEFAULT_KEYS = ['localeData', 'defaultLanguage', 'supportedLanguages', 'dialogs', 'dialogComponents', 'sentences'];
const ARRAY_KEYS = new Set([...Object.keys(ITEM_KINDS), COMPONENTS_KEY, SENTENCES_KEY]);

const withoutKore = (body: Json): Json => Object.fromEntries(Object.entries(body).filter(([k]) => !k.startsWith('kore:')));
const idOf = (value: Json): string | undefined => (typeof value._id === 'string' ? value._id : undefined);

/** What the components of a Kore bot say botDefinition.json and config.json hold, the large parts spooled. */
class Definition {
  readonly arrays = new Map<string, Parts>();
  readonly values = new Map<string, Spooled>();
  readonly synonyms = new Map<string, Spooled>();
  readonly languages = new Map<string, { language: string; data?: Json }>();
  readonly taskIds: Record<string, string[]> = { dialogs: [], alerts: [], actions: [] };
  settings?: Json;
  envVariables?: unknown;
  constructor(private readonly spool: Spool) {}

  async add(key: string, order: unknown, value: unknown, id?: string): Promise<void> {
    const parts = this.arrays.get(key) ?? this.arrays.set(key, new Parts()).get(key)!;
    parts.add(typeof order === 'number' ? order : Infinity, await this.spool.put(JSON.stringify(value)), id);
  }

  async take(locale: string | undefined, name: string, body: Json): Promise<void> {
    const key = String(body[KEY]);
    for (const node of (body[COMPONENTS] ?? []) as Indexed[]) await this.add(COMPONENTS_KEY, node.index, node.value, idOf(node.value));
    if (key === DEFINITION_KEY) this.settings = body;
    else if (key in ITEM_KINDS) {
      const item = withoutKore(body);
      await this.add(key, body[INDEX], item);
      if (TASK_KEYS.includes(key) && idOf(item)) this.taskIds[key].push(idOf(item)!);
    } else if (key === SENTENCES_KEY) await this.takeSentences(locale ?? '', name, body);
    else if (key === LOCALE_KEY && locale) this.languages.set(locale, { language: String(body[LANGUAGE]), data: body[LOCALE_DATA] as Json | undefined });
    else if (key === SYNONYMS_KEY && locale) this.synonyms.set(locale, await this.spool.put(JSON.stringify(body[VALUE])));
    else if (key === ENV_KEY) this.envVariables = body[VALUE];
    else if (key in VALUE_KINDS) this.values.set(key, await this.spool.put(JSON.stringify(body[VALUE])));
  }

  /** An intent's sample utterances as Kore's sentences: each with the Kore fields it came with, a new one with its task's. */
  private async takeSentences(locale: string, name: string, body: Json): Promise<void> {
    const utterances = Array.isArray(body.sampleUtterances) ? (body.sampleUtterances as { utterance: string }[]) : [];
    const fields = (body[SENTENCES] ?? []) as ({ index?: number } & Json)[];
    for (const [i, u] of utterances.entries()) {
      const { index, ...known } = fields[i] ?? {
        taskId: body[TASK_ID],
        taskName: name,
        type: 'DialogIntent',
        language: languageOfLocale(locale),
        entities: [],
      };
      await this.add(SENTENCES_KEY, index, { ...known, sentence: u.utterance });
    }
  }

  async read(part: Spooled): Promise<Buffer> {
    return this.spool.read(part);
  }
}

/** The stored exportOptions, narrowed to what this export was asked for. */
function exportOptionsOf(stored: unknown, input: FormatInput, d: Definition): unknown {
  const { categories, subTasks, includeDependentTasks } = input.options;
  if (!stored || typeof stored !== 'object' || (!categories && !namesTasks(subTasks))) return stored;
  const out: Json = { ...(stored as Json) };
  if (categories) Object.assign(out, { tasks: categories.tasks ?? [], nlpData: categories.nlpData ?? [], settings: categories.settings ?? [] });
  if (namesTasks(subTasks)) {
    out.subTasks = { ...((out.subTasks as Json) ?? {}), ...d.taskIds };
    out.IncludeDependentTasks = !!includeDependentTasks;
  }
  return out;
}

/**
 * botDefinition.json, streamed: the keys in the order the bot's own export
 * had them, each array's items in their original order (new ones last), the
 * nodes a dialog shares with another written once.
 */
async function* definitionJson(input: FormatInput, d: Definition): AsyncGenerator<Buffer> {
  const settings = withoutKore(d.settings ?? {});
  const imported = (d.settings?.[IMPORTED_AS] ?? {}) as { name?: string; description?: string };
  const defaultLanguage = typeof settings.defaultLanguage === 'string' ? settings.defaultLanguage : 'en';
  if (!d.settings) {
    Object.assign(settings, { defaultLanguage, supportedLanguages: [defaultLanguage] });
    if (!d.languages.size) d.languages.set('en_US', { language: defaultLanguage, data: {} });
  }
  // A bot renamed (or described anew) in botport since its import says so in Kore's words too.
  for (const entry of d.languages.values()) {
    if (entry.language !== defaultLanguage) continue;
    if (input.header.name !== imported.name) entry.data = { ...entry.data, name: input.header.name };
    if (input.header.description !== imported.description) entry.data = { ...entry.data, description: input.header.description };
  }
  if ('exportOptions' in settings) settings.exportOptions = exportOptionsOf(settings.exportOptions, input, d);

  const stored = Array.isArray(d.settings?.[KEYS]) ? (d.settings[KEYS] as string[]) : DEFAULT_KEYS;
  const present = (key: string) =>
    key in settings || d.arrays.has(key) || d.values.has(key) || (key === LOCALE_KEY && d.languages.size > 0) || (ARRAY_KEYS.has(key) && stored.includes(key));
  const keys = [...new Set([...stored, ...Object.keys(settings), ...d.arrays.keys(), ...d.values.keys(), ...(d.languages.size ? [LOCALE_KEY] : [])])].filter(
    present,
  );

  const chunks = new Chunks();
  for (const [i, key] of keys.entries()) {
    chunks.add(`${i ? ',\n' : '{\n'}    ${JSON.stringify(key)}: `);
    if (ARRAY_KEYS.has(key)) yield* arrayJson(d, key, chunks);
    else if (key === LOCALE_KEY) yield* localeDataJson(d, chunks);
    else {
      const value = d.values.get(key);
      chunks.add(value ? await d.read(value) : JSON.stringify(settings[key]));
    }
    const out = chunks.full();
    if (out) yield out;
  }
  chunks.add(keys.length ? '\n}\n' : '{}\n');
  const last = chunks.take();
  if (last) yield last;
}

async function* arrayJson(d: Definition, key: string, chunks: Chunks): AsyncGenerator<Buffer> {
  const parts = d.arrays.get(key) ?? new Parts();
  const seen = new Set<string>();
  let first = true;
  chunks.add('[');
  for (const i of parts.sorted()) {
    const id = parts.id[i];
    if (id !== undefined) {
      if (seen.has(id)) continue; // a node two dialogs share is written once
      seen.add(id);
    }
    if (!first) chunks.add(',');
    first = false;
    chunks.add(await d.read({ offset: parts.offset[i], length: parts.length[i] }));
    const out = chunks.full();
    if (out) yield out;
  }
  chunks.add(']');
}

async function* localeDataJson(d: Definition, chunks: Chunks): AsyncGenerator<Buffer> {
  chunks.add('{');
  let first = true;
  for (const [locale, { language, data }] of d.languages) {
    const base = JSON.stringify(data ?? {});
    chunks.add(`${first ? '' : ','}${JSON.stringify(language)}:`);
    first = false;
    const synonyms = d.synonyms.get(locale);
    if (!synonyms) chunks.add(base);
    else {
      chunks.add(base === '{}' ? '{"synonyms":' : `${base.slice(0, -1)},"synonyms":`);
      chunks.add(await d.read(synonyms));
      chunks.add('}');
    }
    const out = chunks.full();
    if (out) yield out;
  }
  chunks.add('}');
}

const file = (name: string, value: unknown): ZipEntry => ({ name, data: Buffer.from(`${JSON.stringify(value, null, 4)}\n`, 'utf8') });

/**
 * Kore.ai's own export zip (see layout.ts), so Kore's Bot Import API takes
 * what botport exports: botDefinition.json (streamed: it holds the whole bot),
 * config.json, the icon and the other files the export had. What Kore has no
 * place for (an EDDI resource, a Lex slot type) is left out and noted.
 */
export const koreJson: ArchiveFormat = {
  name: 'KoreJson',
  label: 'Kore.ai',
  namespace: 'kore',
  holds: (_c, body) => KEY in body,
  describe: (c, body) => (KEY in body ? describeKore(String(body[KEY]), body[KEY] === LOCALE_KEY ? String(body[LANGUAGE]) : c.name, c.locale) : undefined),
  async *entries(input: FormatInput): AsyncGenerator<ZipEntry> {
    const spool = await Spool.open();
    try {
      const d = new Definition(spool);
      for await (const c of input.components) await d.take(c.locale, c.name, c.body ?? (JSON.parse(c.bodyJson) as Json));
      yield { name: DEFINITION_FILE, stream: () => definitionJson(input, d) };
      const imported = (d.settings?.[IMPORTED_AS] ?? {}) as { name?: string };
      const config: Json = { name: input.header.name, ...((d.settings?.[CONFIG] as Json) ?? {}) };
      if (imported.name !== undefined && imported.name !== input.header.name) config.name = input.header.name;
      config.envVariables = d.envVariables ?? config.envVariables ?? [];
      yield file(CONFIG_FILE, config);
      const files = (d.settings?.[FILES] ?? {}) as Record<string, { json: unknown } | { base64: string }>;
      for (const name of Object.keys(files).sort()) {
        const content = files[name];
        yield 'json' in content ? { name, data: Buffer.from(JSON.stringify(content.json), 'utf8') } : { name, data: Buffer.from(content.base64, 'base64') };
      }
    } finally {
      await spool.close();
    }
  },
};

import type { OpenArchive } from '../../archive/zip-reader';
import { checkComponent, type Component, type ComponentRef, MAX_NAME_LENGTH } from '../../bots/definition';
import { isLocaleScoped } from '../../bots/kinds';
import { type FieldError, ValidationError } from '../../errors';
import { clearSecrets } from '../clear-secrets';
import type { ArchiveReader, ImportedBot, Json } from '../format';
import { parseJsonEntry, parseJsonObject } from '../json-entry';
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
  KORE_BOT,
  LANGUAGE,
  LOCALE_DATA,
  LOCALE_KEY,
  localeOfLanguage,
  SENTENCES,
  SENTENCES_KEY,
  SYNONYMS_KEY,
  TASK_ID,
  TASK_KEYS,
  VALUE,
  VALUE_KINDS,
} from './layout';

const MAX_REPORTED = 20;
const MAX_DESCRIPTION = 2000;
type Indexed = { index: number; value: Json };

const asObject = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

/** Every string of a JSON value, to find the ids it mentions. */
function* stringsIn(value: unknown): Generator<string> {
  if (typeof value === 'string') yield value;
  else if (Array.isArray(value)) for (const v of value) yield* stringsIn(v);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) yield* stringsIn(v);
}

/** Hands out names unique per kind and locale, keeping the first as it is. */
class Names {
  private readonly taken = new Set<string>();
  take(kind: string, locale: string | undefined, wanted: string, tiebreak: string): string {
    let name = wanted.slice(0, MAX_NAME_LENGTH);
    const key = (n: string) => `${kind}\u0000${locale ?? ''}\u0000${n}`;
    if (this.taken.has(key(name))) name = `${wanted.slice(0, MAX_NAME_LENGTH - tiebreak.length - 3)} (${tiebreak})`;
    for (let n = 2; this.taken.has(key(name)); n++) name = `${wanted.slice(0, MAX_NAME_LENGTH - 12)} (${n})`;
    this.taken.add(key(name));
    return name;
  }
}

/** The bot's languages, default first, each with its botport locale. */
function languagesOf(d: Json): Map<string, string> {
  const languages = [d.defaultLanguage, ...asArray(d.supportedLanguages), ...Object.keys(asObject(d.localeData))].filter(
    (l): l is string => typeof l === 'string' && !!l,
  );
  if (!languages.length) languages.push('en');
  const locales = new Map<string, string>();
  const owners = new Map<string, string>();
  for (const language of languages) {
    if (locales.has(language)) continue;
    const locale = localeOfLanguage(language);
    if (owners.has(locale)) throw new ValidationError(`the Kore bot's languages '${owners.get(locale)}' and '${language}' would both be locale ${locale}`);
    owners.set(locale, language);
    locales.set(language, locale);
  }
  return locales;
}

/**
 * Builds the components of one botDefinition.json (parsed whole: one entry,
 * within IMPORT_MAX_ENTRY_BYTES) and config.json.
 */
function componentsOf(d: Json, config: Json, files: Json, notes: string[]): { components: Component[]; name: string; description: string } {
  const locales = languagesOf(d);
  const defaultLanguage = [...locales.keys()][0];
  const defaultLocale = locales.get(defaultLanguage)!;
  const localeData = asObject(d.localeData);
  const botLocaleData = asObject(localeData[defaultLanguage]);
  const name = (text(config.name) ?? text(botLocaleData.name) ?? 'Kore.ai bot').slice(0, MAX_NAME_LENGTH);
  const description = (text(botLocaleData.description) ?? '').slice(0, MAX_DESCRIPTION);
  const names = new Names();
  const out: Component[] = [];
  const consumed = new Set<string>([COMPONENTS_KEY, SENTENCES_KEY, LOCALE_KEY]);

  // Nodes by id; each task takes those it mentions, KoreBot those no task does.
  const nodes = new Map<string, Indexed>();
  asArray(d[COMPONENTS_KEY]).forEach((value, index) => {
    const id = asObject(value)._id;
    nodes.set(typeof id === 'string' ? id : `#${index}`, { index, value: value as Json });
  });
  const orphans = new Set(nodes.keys());

  // Intents first: tasks refer to them.
  const intents = new Map<string, ComponentRef[]>(); // by task id
  const grouped = new Map<string, { language: string; taskId: string; sentences: Indexed[] }>();
  asArray(d[SENTENCES_KEY]).forEach((value, index) => {
    const s = asObject(value);
    const language = typeof s.language === 'string' && locales.has(s.language) ? s.language : defaultLanguage;
    const taskId = typeof s.taskId === 'string' ? s.taskId : '';
    const key = `${language}\u0000${taskId}`;
    if (!grouped.has(key)) grouped.set(key, { language, taskId, sentences: [] });
    grouped.get(key)!.sentences.push({ index, value: s });
  });
  for (const { language, taskId, sentences } of grouped.values()) {
    const locale = locales.get(language)!;
    const node = asObject(nodes.get(taskId)?.value);
    const wanted = text(node.name) ?? text(sentences[0].value.taskName) ?? (taskId || 'sentences without a task');
    const intentName = names.take('intent', locale, wanted, taskId);
    out.push({
      kind: 'intent',
      locale,
      name: intentName,
      body: {
        sampleUtterances: sentences.map(({ value }) => ({ utterance: String(value.sentence ?? '') })),
        [KEY]: SENTENCES_KEY,
        [TASK_ID]: taskId,
        [SENTENCES]: sentences.map(({ index, value: { sentence: _s, ...rest } }) => ({ index, ...rest })),
      },
    });
    intents.set(taskId, [...(intents.get(taskId) ?? []), { kind: 'intent', name: intentName, locale }]);
  }

  // Items of arrays: named, and tasks with their nodes and what they reach.
  const items: { key: string; index: number; value: Json; ref: ComponentRef; nodes: Indexed[] }[] = [];
  const taskIds = new Map<string, ComponentRef>();
  for (const [key, kind] of Object.entries(ITEM_KINDS)) {
    if (!(key in d)) continue;
    consumed.add(key);
    asArray(d[key]).forEach((raw, index) => {
      const value = asObject(raw);
      const own = asObject(asObject(value.localeData)[defaultLanguage]);
      const id = text(value._id) ?? text(value.refId) ?? `${index + 1}`;
      const wanted = text(own.name) ?? text(value.name) ?? text(value.lname) ?? text(value.language) ?? `${key} ${index + 1}`;
      const ref: ComponentRef = { kind, name: names.take(kind, undefined, wanted, id) };
      const used: Indexed[] = [];
      if (TASK_KEYS.includes(key)) {
        for (const s of new Set(stringsIn(value))) {
          const node = nodes.get(s);
          if (node) {
            used.push(node);
            orphans.delete(s);
          }
        }
        for (const ident of [value._id, value.refId]) if (typeof ident === 'string') taskIds.set(ident, ref);
      }
      items.push({ key, index, value, ref, nodes: used.sort((a, b) => a.index - b.index) });
    });
  }
  for (const item of items) {
    const refs = new Map<string, ComponentRef>();
    if (TASK_KEYS.includes(item.key)) {
      for (const s of new Set([...stringsIn(item.value), ...item.nodes.flatMap((n) => [...stringsIn(n.value)])])) {
        const task = taskIds.get(s);
        if (task && task !== item.ref) refs.set(`${task.kind}\u0000${task.name}`, task);
        for (const intent of intents.get(s) ?? []) refs.set(`intent\u0000${intent.locale}\u0000${intent.name}`, intent);
      }
    }
    const body: Json = { ...item.value, [KEY]: item.key, [INDEX]: item.index };
    if (item.nodes.length) body[COMPONENTS] = item.nodes;
    out.push({ ...item.ref, body, ...(refs.size ? { refs: [...refs.values()] } : {}) });
  }

  // Keys kept whole; locales, their synonyms; config.json's envVariables.
  for (const [key, kind] of Object.entries(VALUE_KINDS)) {
    if (!(key in d)) continue;
    consumed.add(key);
    out.push({ kind, ...(isLocaleScoped(kind) && { locale: defaultLocale }), name: key, body: { [KEY]: key, [VALUE]: d[key] } });
  }
  for (const [language, locale] of locales) {
    const { synonyms, ...rest } = asObject(localeData[language]);
    const body: Json = { [KEY]: LOCALE_KEY, [LANGUAGE]: language };
    if (language in localeData) body[LOCALE_DATA] = rest;
    out.push({ kind: 'locale', locale, name: locale, body });
    if (synonyms !== undefined) out.push({ kind: 'synonyms', locale, name: 'synonyms', body: { [KEY]: SYNONYMS_KEY, [VALUE]: synonyms } });
  }
  const { envVariables, ...restOfConfig } = config;
  if (envVariables !== undefined) out.push({ kind: 'botVariables', name: 'envVariables', body: { [KEY]: ENV_KEY, [VALUE]: envVariables } });

  const settings: Json = Object.fromEntries(Object.entries(d).filter(([k]) => !consumed.has(k)));
  Object.assign(settings, { [KEY]: DEFINITION_KEY, [KEYS]: Object.keys(d), [CONFIG]: restOfConfig, [IMPORTED_AS]: { name, description } });
  if (Object.keys(files).length) settings[FILES] = files;
  const unused = [...orphans].map((id) => nodes.get(id)!);
  if (unused.length) settings[COMPONENTS] = unused;
  out.push({ kind: 'botSettings', name: KORE_BOT, body: settings });

  for (const c of out) {
    const key = String(c.body[KEY]);
    for (const path of clearSecrets(c.body)) {
      notes.push(
        `${describeKore(key, c.name, c.locale)} keeps what looks like a secret in clear text at ${path}; it was imported as it is: rotate it if it is real`,
      );
    }
  }
  return { components: out, name, description };
}

/**
 * Reads Kore.ai's own export (see layout.ts): the zip Kore's Bot Export API
 * writes, or the files Kore's Bot Import API takes (botDefinition, configInfo,
 * icon), which the import puts in such a zip. botDefinition.json is one JSON
 * document, so it is parsed whole, within the per-entry import limit.
 */
export const koreJsonReader: ArchiveReader = {
  name: 'KoreJson',
  marks: DEFINITION_FILE,
  recognise: async (archive) => (archive.entries.has(DEFINITION_FILE) ? { manifest: DEFINITION_FILE } : undefined),
  async read(archive: OpenArchive): Promise<ImportedBot> {
    const definition = parseJsonObject(await archive.read(DEFINITION_FILE), DEFINITION_FILE);
    const config = archive.entries.has(CONFIG_FILE) ? parseJsonObject(await archive.read(CONFIG_FILE), CONFIG_FILE) : {};
    const others = [...archive.entries.keys()].filter((n) => n !== DEFINITION_FILE && n !== CONFIG_FILE).sort();
    const files: Json = {};
    for await (const { name, data } of archive.readInOrder(others)) {
      files[name] = name.endsWith('.json') ? { json: parseJsonEntry(data, name) } : { base64: data.toString('base64') };
    }
    const notes: string[] = [];
    const { components: all, name, description } = componentsOf(definition, config, files, notes);

    async function* components(): AsyncGenerator<Component> {
      const errors: FieldError[] = [];
      for (const c of all) {
        const { component, errors: own } = checkComponent(c, []);
        if (component) yield component;
        errors.push(...own.map((e) => ({ path: `${describeKore(String(c.body[KEY]), c.name, c.locale)} ${e.path}`, message: e.message })));
        if (errors.length >= MAX_REPORTED) break;
      }
      if (errors.length) throw new ValidationError('the Kore.ai bot holds parts botport cannot take as components', errors.slice(0, MAX_REPORTED));
    }
    return { format: 'KoreJson', bot: { name, description }, components: components(), notes };
  },
};

import type { ZipEntry } from '../../archive/zip-writer';
import type { StoredComponent } from '../../bots/snapshot';
import type { ComponentFile, ComponentFiles, DerivedFormat, Json, LayoutInput } from '../format';
import { derivedIdentifier, EXTRA_FILES, type ExtraFiles, LEX_BOT_SETTINGS, lexName, MANIFEST } from './layout';

/** Lex writes every file minified, UTF-8, no trailing newline. */
const file = (path: string, value: unknown): ComponentFile => ({ path, data: Buffer.from(JSON.stringify(value), 'utf8') });
const entry = (f: ComponentFile): ZipEntry => ({ name: f.path, data: f.data });

function* extraFiles(folder: string, body: Json): Generator<ComponentFile> {
  const extras = (body[EXTRA_FILES] ?? {}) as ExtraFiles;
  for (const [path, content] of Object.entries(extras)) {
    const name = folder ? `${folder}/${path}` : path;
    yield 'json' in content ? file(name, content.json) : { path: name, data: Buffer.from(content.base64, 'base64') };
  }
}

function withoutExtras(body: Json): Json {
  const { [EXTRA_FILES]: _extras, ...rest } = body;
  return rest;
}

/**
 * A slot as Lex writes it. One Lex exported is written as it came (names
 * repaired at most); one botport built (`required`, `priority`) gets Lex's
 * terms: a constraint and a prompt to elicit it.
 */
function lexSlot(slot: Json, locale: string, intent: string): Json {
  const name = String(slot.name);
  const slotTypeName = String(slot.slotTypeName);
  const names = { name: lexName(name), slotTypeName: slotTypeName.startsWith('AMAZON.') ? slotTypeName : lexName(slotTypeName) };
  if (slot.valueElicitationSetting) return { identifier: derivedIdentifier(locale, intent, name), ...slot, ...names };
  const { required, priority: _priority, ...rest } = slot;
  return {
    identifier: derivedIdentifier(locale, intent, name),
    description: null,
    obfuscationSetting: null,
    multipleValuesSetting: null,
    ...rest,
    ...names,
    valueElicitationSetting: {
      slotConstraint: required ? 'Required' : 'Optional',
      promptSpecification: {
        messageGroupsList: [{ message: { plainTextMessage: { value: `What is the ${name}?` } }, variations: null }],
        maxRetries: 2,
        allowInterrupt: true,
      },
    },
  };
}

/**
 * Slot priorities must list each slot exactly once. When they do not (slots
 * left out, or built by botport), they are rebuilt keeping the elicitation
 * order the intent had: the surviving slots in the order its priorities gave
 * them, then the slots it did not list, by botport's own `priority`.
 */
function slotPriorities(body: Json, slots: Json[]): { priorities: unknown; rebuilt: boolean } {
  if (!slots.length && !Array.isArray(body.slotPriorities)) return { priorities: body.slotPriorities === undefined ? [] : body.slotPriorities, rebuilt: false };
  const names = slots.map((s) => String(s.name));
  const given = Array.isArray(body.slotPriorities) ? (body.slotPriorities as Json[]) : undefined;
  const listed = given?.map((p) => String(p.slotName)) ?? [];
  if (given && listed.length === names.length && new Set(listed).size === listed.length && names.every((n) => listed.includes(n))) {
    return { priorities: given, rebuilt: false };
  }
  const rank = new Map((given ?? []).map((p, i) => [String(p.slotName), Number(p.priority ?? i + 1)]));
  const order = (s: Json): [number, number] => (rank.has(String(s.name)) ? [0, rank.get(String(s.name))!] : [1, Number(s.priority ?? Infinity)]);
  const ordered = [...slots].sort((a, b) => {
    const [ga, pa] = order(a);
    const [gb, pb] = order(b);
    return ga - gb || (pa === pb ? 0 : pa < pb ? -1 : 1);
  });
  return { priorities: ordered.map((s, i) => ({ priority: i + 1, slotName: lexName(String(s.name)) })), rebuilt: slots.length > 0 || !!given };
}

function slotTypeJson(c: StoredComponent, body: Json): Json {
  const out: Json = { identifier: derivedIdentifier(c.locale ?? '', 'slotType', c.name), description: null, ...withoutExtras(body), name: lexName(c.name) };
  // botport's `values: [{value, synonyms: [..]}]` in Lex's shape.
  if (Array.isArray(body.values) && out.slotTypeValues === undefined) {
    out.slotTypeValues = (body.values as { value: string; synonyms?: string[] }[]).map((v) => ({
      sampleValue: { value: v.value },
      synonyms: v.synonyms?.length ? v.synonyms.map((s) => ({ value: s })) : null,
    }));
    delete out.values;
  }
  out.parentSlotTypeSignature ??= null;
  out.valueSelectionSetting ??= { resolutionStrategy: 'ORIGINAL_VALUE', regexFilter: null };
  return out;
}

const FALLBACK_INTENT = (locale: string): Json => ({
  name: 'FallbackIntent',
  identifier: derivedIdentifier(locale, 'intent', 'FallbackIntent'),
  description: 'Default intent when no other intent matches',
  parentIntentSignature: 'AMAZON.FallbackIntent',
  sampleUtterances: null,
  slotPriorities: [],
});

/** What a Lex locale holds; a locale of undetermined language (`und_001`, EDDI's) has no Lex equivalent. */
const LEX_KINDS: ReadonlySet<string> = new Set(['locale', 'intent', 'slotType']);
const UNDETERMINED = /^und_/;

/**
 * Amazon Lex V2's own layout (see layout.ts), every file as Lex writes it,
 * so Lex can import what botport exports. Lex's rules are kept or repaired
 * with a note: names Lex accepts, a fallback intent per locale, slot
 * priorities listing every slot, a confidence threshold per locale. Kinds
 * Lex has no place for are left out and listed in a note. A locale's,
 * intent's or slot type's files depend on that component alone (their paths
 * are relative to the bot's folder), so they are derived once and cached;
 * Bot.json, which holds the bot's name and version, is written per export.
 */
export const lexJson: DerivedFormat = {
  name: 'LexJson',
  label: 'Lex V2',
  holds: (c) => (c.locale ? LEX_KINDS.has(c.kind) && !UNDETERMINED.test(c.locale) : c.kind === 'botSettings' && c.name === LEX_BOT_SETTINGS),
  layout: { revision: 1, files: componentFiles, arrange },
};

/** A component's files under the bot's folder; the bot's settings are only marked, Bot.json being the export's. */
function componentFiles(c: StoredComponent, parse: () => Json): ComponentFiles {
  const body = parse();
  const notes: string[] = [];
  if (!c.locale) return { files: [], notes, marks: c.kind === 'botSettings' ? { botSettings: body } : {} };
  const folder = `BotLocales/${c.locale}`;
  if (c.kind === 'locale') {
    const out: Json = { name: c.locale, identifier: c.locale, version: null, description: null, ...withoutExtras(body) };
    out.identifier = c.locale;
    if (typeof out.nluConfidenceThreshold !== 'number') {
      out.nluConfidenceThreshold = 0.4;
      notes.push(`locale ${c.locale} had no nluConfidenceThreshold; Lex requires one, so 0.4 was written`);
    }
    return { files: [file(`${folder}/BotLocale.json`, out), ...extraFiles(folder, body)], notes, marks: {} };
  }
  if (c.kind === 'intent') {
    const files = [...intentFiles((m) => notes.push(m), folder, c, body)];
    // An intent of that name takes the fallback's place (and its path) either way.
    const fallback = body.parentIntentSignature === 'AMAZON.FallbackIntent' || lexName(c.name) === 'FallbackIntent';
    return { files, notes, marks: fallback ? { fallback } : {} };
  }
  const typeFolder = `${folder}/SlotTypes/${lexName(c.name)}`;
  return { files: [file(`${typeFolder}/SlotType.json`, slotTypeJson(c, body)), ...extraFiles(typeFolder, body)], notes, marks: {} };
}

async function* arrange(input: LayoutInput): AsyncGenerator<ZipEntry> {
  const { botId, name, description, version } = input.header;
  const bot = lexName(name);
  if (bot !== name) input.note(`bot name '${name}' is written as '${bot}', a name Lex accepts`);
  yield entry(file(MANIFEST, { metaData: { schemaVersion: '1', fileFormat: 'LexJson', resourceType: input.localeId ? 'BOT_LOCALE' : 'BOT' } }));

  let botSettings: Json = {};
  // A locale export holds only the structure under the locale, as Lex's own do: no Bot.json.
  let botWritten = input.localeId !== null;
  const writeBot = function* (): Generator<ZipEntry> {
    botWritten = true;
    yield entry(
      file(`${bot}/Bot.json`, {
        name: bot,
        version,
        description: description || null,
        identifier: botId,
        dataPrivacy: { childDirected: false },
        idleSessionTTLInSeconds: 300,
        ...withoutExtras(botSettings),
      }),
    );
    for (const f of extraFiles('', botSettings)) yield entry(f);
  };
  let locale: string | undefined;
  let hasFallback = false;
  const endLocale = function* (): Generator<ZipEntry> {
    if (locale && !hasFallback) {
      input.note(`locale ${locale} had no fallback intent (AMAZON.FallbackIntent); Lex requires one, so a default FallbackIntent was written`);
      yield entry(file(`${bot}/BotLocales/${locale}/Intents/FallbackIntent/Intent.json`, FALLBACK_INTENT(locale)));
    }
  };

  for await (const c of input.components) {
    if (!c.locale) {
      if (c.marks.botSettings) botSettings = c.marks.botSettings as Json;
      continue;
    }
    if (!botWritten) yield* writeBot();
    if (c.locale !== locale) {
      yield* endLocale();
      locale = c.locale;
      hasFallback = false;
    }
    for (const f of c.files) yield { name: `${bot}/${f.path}`, prepared: f.entry };
    if (c.marks.fallback) hasFallback = true;
  }
  yield* endLocale();
  if (!botWritten) yield* writeBot();
}

function* intentFiles(note: (message: string) => void, folder: string, c: StoredComponent, body: Json): Generator<ComponentFile> {
  const name = lexName(c.name);
  if (name !== c.name) note(`intent '${c.name}' (${c.locale}) is written as '${name}', a name Lex accepts`);
  const intentFolder = `${folder}/Intents/${name}`;
  const slots = Array.isArray(body.slots) ? (body.slots as Json[]) : [];
  const { priorities, rebuilt } = slotPriorities(body, slots);
  if (rebuilt) note(`intent '${c.name}' (${c.locale}): slot priorities were rebuilt to list its ${slots.length} slot(s)`);
  const { slots: _slots, ...rest } = withoutExtras(body);
  yield file(`${intentFolder}/Intent.json`, {
    identifier: derivedIdentifier(c.locale ?? '', 'intent', c.name),
    description: null,
    parentIntentSignature: null,
    sampleUtterances: [],
    ...rest,
    name,
    slotPriorities: priorities,
  });
  for (const slot of slots) {
    const out = lexSlot(slot, c.locale ?? '', c.name);
    yield file(`${intentFolder}/Slots/${out.name}/Slot.json`, out);
  }
  yield* extraFiles(intentFolder, body);
}

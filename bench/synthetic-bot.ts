import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BotStore, type Component, inTransaction, openArchive, READERS, zipChunks, type ZipEntry } from '@botport/shared';
import type { Pool } from 'pg';

/** A small deterministic PRNG, so a synthetic bot is the same on every run. */
function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = (
  'order pizza large small medium crust cheese pepperoni delivery address time tomorrow tonight please want would like ' +
  'cancel change book flight hotel room check status payment card refund account balance help agent speak human thanks ' +
  'weather city forecast rain sunny reminder meeting schedule calendar music play stop next previous volume'
).split(' ');

/**
 * Lex-like components (intents with utterances and slots, slot types) of about
 * `bodyBytes` each, across `locales`; `count` in all.
 */
export function* syntheticComponents(count: number, bodyBytes: number, locales = ['en_US', 'de_DE'], seed = 1): Generator<Component> {
  const rand = prng(seed);
  const word = () => WORDS[Math.floor(rand() * WORDS.length)];
  const sentence = (n: number) => Array.from({ length: n }, word).join(' ');
  for (const locale of locales) yield { kind: 'locale', locale, name: locale, body: { nluConfidenceThreshold: 0.4 } };
  for (let i = 0; i < count - locales.length; i++) {
    const locale = locales[i % locales.length];
    if (i % 10 === 0) {
      const values: { value: string; synonyms: string[] }[] = [];
      while (JSON.stringify(values).length < bodyBytes) values.push({ value: sentence(2), synonyms: [word(), word()] });
      yield { kind: 'slotType', locale, name: `Type${i}`, body: { values, valueSelectionSetting: { resolutionStrategy: 'TOP_RESOLUTION' } } };
      continue;
    }
    const sampleUtterances: { utterance: string }[] = [];
    const body = {
      description: sentence(8),
      sampleUtterances,
      slots: [{ name: 'when', slotTypeName: 'AMAZON.Date', required: true, prompt: sentence(6) }],
      closingResponse: { message: sentence(10) },
    };
    while (JSON.stringify(body).length < bodyBytes) sampleUtterances.push({ utterance: sentence(4 + Math.floor(rand() * 8)) });
    yield { kind: 'intent', locale, name: `Intent_${i}`, body };
  }
}

/** Creates a bot and writes a synthetic DRAFT straight through the store (fast, no HTTP). */
export async function createSyntheticBot(db: Pool, tenantId: string, name: string, count: number, bodyBytes: number): Promise<string> {
  return writeBot(db, tenantId, name, syntheticComponents(count, bodyBytes));
}

/** Components written at most this many bytes of body per statement (a shape's slot types are megabytes each). */
const BATCH_BYTES = 16 * 1024 * 1024;

/** Creates a bot with `components` as its DRAFT, straight through the store; returns its id. */
async function writeBot(db: Pool, tenantId: string, name: string, components: Iterable<Component>): Promise<string> {
  const bots = new BotStore(db);
  const bot = await bots.create(tenantId, { name });
  let batch: Component[] = [];
  let bytes = 0;
  const flush = () => inTransaction(db, (client) => bots.insertComponents(client, tenantId, bot.botId, batch));
  for (const c of components) {
    batch.push(c);
    bytes += JSON.stringify(c.body).length;
    if (batch.length === 1000 || bytes >= BATCH_BYTES) {
      await flush();
      batch = [];
      bytes = 0;
    }
  }
  if (batch.length) await flush();
  return bot.botId;
}

/**
 * The bot shapes the throughput benchmark exports, each about `bytes` of body JSON:
 * - `lex-like`: 2 locales, components of ~15.5 KB (nine intents of a few hundred utterances to one slot type of values);
 * - `utterances`: 10 locales, intents of 100–199 utterances each, and a slot type of 2,000 values after every 49 intents;
 * - `slot-types`: 2 locales, few very large slot types (~5 MB, ~90,000 values each) and a few small intents.
 */
export const BOT_SHAPES = {
  'lex-like': (bytes: number) => syntheticComponents(Math.max(20, Math.round(bytes / 15_500)), 15_500),
  utterances: (bytes: number) => utteranceHeavy(bytes),
  'slot-types': (bytes: number) => largeSlotTypes(bytes),
} satisfies Record<string, (bytes: number) => Iterable<Component>>;
export type BotShape = keyof typeof BOT_SHAPES;

export function createShapedBot(db: Pool, tenantId: string, name: string, shape: BotShape, bytes: number): Promise<string> {
  return writeBot(db, tenantId, name, BOT_SHAPES[shape](bytes));
}

const LOCALES_10 = ['en_US', 'en_GB', 'de_DE', 'fr_FR', 'es_ES', 'it_IT', 'pt_BR', 'nl_NL', 'ja_JP', 'ko_KR'];

/** Slot type values of about `bytes` in all, `count` at most. */
function slotValues(rand: () => number, bytes: number, count = Infinity): { value: string; synonyms: string[] }[] {
  const word = () => WORDS[Math.floor(rand() * WORDS.length)];
  const values: { value: string; synonyms: string[] }[] = [];
  for (let size = 0; size < bytes && values.length < count;) {
    const v = { value: `${word()} ${word()} ${values.length}`, synonyms: [word(), `${word()} ${word()}`] };
    values.push(v);
    size += JSON.stringify(v).length + 1;
  }
  return values;
}

function* utteranceHeavy(bytes: number, seed = 3): Generator<Component> {
  const rand = prng(seed);
  const word = () => WORDS[Math.floor(rand() * WORDS.length)];
  const sentence = (n: number) => Array.from({ length: n }, word).join(' ');
  for (const locale of LOCALES_10) yield { kind: 'locale', locale, name: locale, body: { nluConfidenceThreshold: 0.4 } };
  for (let i = 0, size = 0; size < bytes; i++) {
    const locale = LOCALES_10[i % LOCALES_10.length];
    const body =
      i % 50 === 49
        ? { values: slotValues(rand, Infinity, 2_000), valueSelectionSetting: { resolutionStrategy: 'TOP_RESOLUTION' } }
        : {
            description: sentence(8),
            sampleUtterances: Array.from({ length: 100 + Math.floor(rand() * 100) }, () => ({ utterance: sentence(4 + Math.floor(rand() * 8)) })),
            slots: [{ name: 'when', slotTypeName: 'AMAZON.Date', required: true, prompt: sentence(6) }],
            closingResponse: { message: sentence(10) },
          };
    size += JSON.stringify(body).length;
    yield i % 50 === 49 ? { kind: 'slotType', locale, name: `Values${i}`, body } : { kind: 'intent', locale, name: `Intent_${i}`, body };
  }
}

function* largeSlotTypes(bytes: number, seed = 5): Generator<Component> {
  const rand = prng(seed);
  const locales = ['en_US', 'de_DE'];
  for (const locale of locales) yield { kind: 'locale', locale, name: locale, body: { nluConfidenceThreshold: 0.4 } };
  for (let i = 0; i < 10; i++) {
    yield { kind: 'intent', locale: locales[i % 2], name: `Intent_${i}`, body: { sampleUtterances: [{ utterance: `find ${WORDS[i]}` }] } };
  }
  for (let i = 0, size = 0; size < bytes; i++) {
    const body = { values: slotValues(rand, Math.min(5 * 1024 * 1024, bytes - size + 1024)), valueSelectionSetting: { resolutionStrategy: 'ORIGINAL_VALUE' } };
    size += JSON.stringify(body).length;
    yield { kind: 'slotType', locale: locales[i % 2], name: `Catalogue${i}`, body };
  }
}

/** Limits for reading a synthetic archive in this process: the bench's bots are larger than one import takes. */
const BENCH_LIMITS = {
  IMPORT_MAX_UNCOMPRESSED_BYTES: 2 ** 34,
  IMPORT_MAX_ENTRIES: 1_000_000,
  IMPORT_MAX_ENTRY_BYTES: 2 ** 31,
  IMPORT_MAX_COMPRESSION_RATIO: 1e9,
  IMPORT_MEMORY_BUDGET_BYTES: 2 ** 31,
};
const EDDI_TYPES = ['behavior', 'output', 'httpcalls', 'property', 'regulardictionary'];
const hexId = (n: number) => n.toString(16).padStart(24, '0');

/** Text of about `bytes` characters, made of the words above. */
function filler(rand: () => number, bytes: number): string[] {
  const out: string[] = [];
  let size = 0;
  while (size < bytes) {
    const s = Array.from({ length: 6 }, () => WORDS[Math.floor(rand() * WORDS.length)]).join(' ');
    out.push(s);
    size += s.length + 3;
  }
  return out;
}

/**
 * An EDDI backup zip of `count` resources of about `bodyBytes` each (behavior
 * rules, outputs, httpcalls, property setters, dictionaries, 100 to a
 * package), written as EDDI lays it out.
 */
async function* eddiEntries(count: number, bodyBytes: number): AsyncGenerator<ZipEntry> {
  const rand = prng(7);
  const json = (name: string, value: unknown): ZipEntry => ({ name, data: Buffer.from(JSON.stringify(value, null, 2)) });
  const packages: string[] = [];
  let next = 1;
  for (let p = 0; next < count; p++) {
    const packageId = hexId(next++);
    const uris: { type: string; uri: string }[] = [];
    for (let i = 0; i < 99 && next < count; i++) {
      const id = hexId(next++);
      const type = EDDI_TYPES[i % EDDI_TYPES.length];
      const uri = `eddi://ai.labs.${type}/${type}store/${type}s/${id}?version=1`;
      uris.push({ type, uri });
      yield json(`${packageId}/1/${id}.${type}.json`, { name: `resource ${id}`, lines: filler(rand, bodyBytes) });
      yield json(`${packageId}/1/${id}.descriptor.json`, { resource: uri, name: `Resource ${i}`, description: '', deleted: false });
    }
    const packageUri = `eddi://ai.labs.package/packagestore/packages/${packageId}?version=1`;
    packages.push(packageUri);
    yield json(`${packageId}/1/${packageId}.package.json`, {
      packageExtensions: uris.map(({ type, uri }) => ({ type: `eddi://ai.labs.${type}`, extensions: {}, config: { uri } })),
    });
    yield json(`${packageId}/1/${packageId}.descriptor.json`, { resource: packageUri, name: `Package ${p}`, description: '', deleted: false });
  }
  const botId = hexId(0);
  yield json(`${botId}.bot.json`, { packages, channels: [] });
  yield json(`${botId}.descriptor.json`, {
    resource: `eddi://ai.labs.bot/botstore/bots/${botId}?version=1`,
    name: 'Bench EDDI',
    description: '',
    deleted: false,
  });
}

/**
 * A Kore.ai export zip of about `count` components of about `bodyBytes`
 * each: dialogs of three nodes, and as many intents of sentences training them.
 */
async function* koreEntries(count: number, bodyBytes: number): AsyncGenerator<ZipEntry> {
  const rand = prng(11);
  const dialogs: unknown[] = [];
  const dialogComponents: unknown[] = [];
  const sentences: unknown[] = [];
  for (let d = 0; d < Math.max(1, Math.floor(count / 2)); d++) {
    const nodes = [0, 1, 2].map((n) => ({ id: `dc-${hexId(d * 3 + n)}`, nodeId: `node${n}` }));
    nodes.forEach((n, i) =>
      dialogComponents.push({ _id: n.id, name: i ? `Message_${d}_${i}` : `Intent_${d}`, type: i ? 'message' : 'intent', message: filler(rand, bodyBytes / 6) }),
    );
    dialogs.push({
      _id: `dg-${hexId(d)}`,
      localeData: { en: { name: `Dialog ${d}` } },
      nodes: nodes.map((n, i) => ({
        nodeId: n.nodeId,
        type: i ? 'message' : 'intent',
        componentId: n.id,
        transitions: [{ default: nodes[i + 1]?.nodeId ?? '' }],
      })),
    });
    for (const text of filler(rand, bodyBytes / 2)) {
      sentences.push({
        _id: hexId(sentences.length),
        taskId: nodes[0].id,
        taskName: `Intent_${d}`,
        type: 'DialogIntent',
        sentence: text,
        language: 'en',
        entities: [],
      });
    }
  }
  const definition = {
    _id: 'st-bench',
    defaultLanguage: 'en',
    supportedLanguages: ['en'],
    localeData: { en: { name: 'Bench Kore', description: '' } },
    dialogs,
    dialogComponents,
    sentences,
  };
  yield { name: 'botDefinition.json', data: Buffer.from(JSON.stringify(definition)) };
  yield { name: 'config.json', data: Buffer.from(JSON.stringify({ name: 'Bench Kore', envVariables: [] })) };
}

/**
 * A bot as botport imports it from EDDI's or Kore.ai's own export (read by
 * that platform's reader, so its components are shaped as real imports'),
 * written straight through the store; returns its id.
 */
export async function createPlatformBot(db: Pool, tenantId: string, platform: 'EddiZip' | 'KoreJson', count: number, bodyBytes: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'botport-bench-'));
  try {
    const file = join(dir, 'export.zip');
    await pipeline(Readable.from(zipChunks(platform === 'EddiZip' ? eddiEntries(count, bodyBytes) : koreEntries(count, bodyBytes))), createWriteStream(file));
    const archive = await openArchive(file, BENCH_LIMITS);
    try {
      const reader = READERS.find((r) => r.name === platform)!;
      const source = await reader.read(archive, (await reader.recognise(archive))!.manifest);
      const bots = new BotStore(db);
      const bot = await bots.create(tenantId, { name: `Bench_${platform}`, description: source.bot.description });
      let batch: Component[] = [];
      const flush = () => inTransaction(db, (client) => bots.insertComponents(client, tenantId, bot.botId, batch));
      for await (const c of source.components) {
        batch.push(c);
        if (batch.length === 1000) {
          await flush();
          batch = [];
        }
      }
      if (batch.length) await flush();
      return bot.botId;
    } finally {
      archive.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

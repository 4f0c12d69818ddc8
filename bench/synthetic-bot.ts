import { BotStore, type Component, inTransaction } from '@botport/shared';
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
  const bots = new BotStore(db);
  const bot = await bots.create(tenantId, { name });
  let batch: Component[] = [];
  const flush = () => inTransaction(db, (client) => bots.insertComponents(client, tenantId, bot.botId, batch));
  for (const c of syntheticComponents(count, bodyBytes)) {
    batch.push(c);
    if (batch.length === 1000) {
      await flush();
      batch = [];
    }
  }
  if (batch.length) await flush();
  return bot.botId;
}

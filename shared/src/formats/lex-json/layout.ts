import { createHash } from 'node:crypto';

/**
 * What the LexJson reader and writer share: Amazon Lex V2's archive layout,
 * its name rule, and where botport keeps what Lex writes that botport does
 * not interpret.
 *
 *   Manifest.json                                              (no component)
 *   {Bot}/Bot.json                                             botSettings 'LexBot' + the bot's name, description
 *   {Bot}/BotLocales/{locale}/BotLocale.json                   locale
 *   {Bot}/BotLocales/{locale}/Intents/{intent}/Intent.json     intent
 *   {Bot}/BotLocales/{locale}/Intents/{intent}/Slots/{slot}/Slot.json   intent body.slots[]
 *   {Bot}/BotLocales/{locale}/SlotTypes/{type}/SlotType.json   slotType
 */
export const MANIFEST = 'Manifest.json';
/** Real exports write `Manifest.json`; Lex's documentation shows `manifest.json`. */
export const MANIFESTS = [MANIFEST, 'manifest.json'];

/** The bot-level component that holds Bot.json's settings (data privacy, session TTL…). */
export const LEX_BOT_SETTINGS = 'LexBot';

/**
 * Files a component's folder holds that botport does not interpret (the
 * console's ConversationFlow.json, a README), by path inside that folder, so
 * a re-export writes them back: JSON as its value, anything else as base64.
 */
export const EXTRA_FILES = 'botport:files';
export type ExtraFiles = Record<string, { json: unknown } | { base64: string }>;

/** Lex's rule for bot, intent, slot and slot type names. */
const LEX_NAME = /^([0-9a-zA-Z][_-]?){1,100}$/;

/**
 * A name Lex accepts: the name itself when it already is one, else its
 * letters and digits joined by `_` plus a short hash of the original, so two
 * names never repair to the same one and every reference repairs alike.
 */
export function lexName(name: string): string {
  if (LEX_NAME.test(name)) return name;
  const base =
    name
      .replace(/[^0-9a-zA-Z]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .slice(0, 90) || 'x';
  return `${base}_${createHash('sha256').update(name).digest('hex').slice(0, 6)}`;
}

/** A stable 10-character identifier for a file that never had one (Lex's own are random). */
export function derivedIdentifier(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 10).toUpperCase();
}

/** The component a file of the archive belongs to, and its path inside that component's folder. */
export type Owner =
  | { kind: 'manifest' }
  | { kind: 'bot'; file: string }
  | { kind: 'locale'; locale: string; file: string }
  | { kind: 'intent' | 'slotType'; locale: string; name: string; file: string };

/** Places a path under the bot's folder (`bot`) on its owning component. */
export function ownerOf(path: string, bot: string): Owner {
  if (MANIFESTS.includes(path)) return { kind: 'manifest' };
  const s = path.split('/');
  if (s[0] !== bot) return { kind: 'bot', file: path };
  if (s[1] !== 'BotLocales' || s.length < 4) return { kind: 'bot', file: path };
  const locale = s[2];
  if ((s[3] === 'Intents' || s[3] === 'SlotTypes') && s.length >= 6) {
    return { kind: s[3] === 'Intents' ? 'intent' : 'slotType', locale, name: s[4], file: s.slice(5).join('/') };
  }
  return { kind: 'locale', locale, file: s.slice(3).join('/') };
}

import type { ComponentKind } from '../../bots/kinds';
import { LOCALE_PATTERN } from '../../bots/kinds';
import { ValidationError } from '../../errors';

/**
 * What the KoreJson reader and writer share. Kore.ai's export zip holds
 * `botDefinition.json` (the whole bot, one JSON object), `config.json`
 * (`{name, envVariables}`), `icon.png` and, where the bot uses Data Tables,
 * `tableDefinition_{table}_{epochms}.json`. In botport:
 *
 *   dialogs[], alerts[], actions[]        dialog, alert, action: one each, with the dialogComponents
 *                                         (nodes) they use and refs to the tasks and intents they reach
 *   knowledgeTasks[], smallTalk[],        knowledgeGraph, smallTalk, customDashboard: one each
 *   customDashboards[]
 *   sentences[]                           intent per language and task: sampleUtterances, the Kore fields of each kept
 *   localeData.{lang}                     locale per language (en → en_US); its synonyms as synonyms
 *   patterns, traits, mlParams,           patterns, traits, nlpSettings in the default language's locale
 *   advancedNLSettings
 *   variables, contentVariables,          botVariables, ivrSettings, genAIandLLMSettings
 *   config.json envVariables, ivrSettings,
 *   llmConfigsForStream, dialogGPTSettings…
 *   everything else, config.json, files  botSettings 'KoreBot', verbatim
 *
 * Each body is the Kore JSON as it came plus `kore:` keys saying where it
 * goes back, so a re-export writes the same JSON (arrays in their order).
 */
export const DEFINITION_FILE = 'botDefinition.json';
export const CONFIG_FILE = 'config.json';
export const KORE_BOT = 'KoreBot';

/** The key of botDefinition.json a component came from (`dialogs`, `sentences`, `localeData`…); `botDefinition` on KoreBot. */
export const KEY = 'kore:key';
/** An item's position in its array. */
export const INDEX = 'kore:index';
/** The dialogComponents (nodes) a task uses, or KoreBot those no task uses: `[{index, value}]`. */
export const COMPONENTS = 'kore:components';
/** On an intent: the Kore fields of each sample utterance's sentence, by position: `[{index, …}]`. */
export const SENTENCES = 'kore:sentences';
/** On an intent: the task (dialog intent node) its sentences train. */
export const TASK_ID = 'kore:taskId';
/** On a locale: Kore's language code, and its localeData (without synonyms). */
export const LANGUAGE = 'kore:language';
export const LOCALE_DATA = 'kore:localeData';
/** On KoreBot: the order of botDefinition.json's keys; config.json without envVariables; the other files; the name given on import. */
export const KEYS = 'kore:keys';
export const CONFIG = 'kore:config';
export const FILES = 'kore:files';
export const IMPORTED_AS = 'kore:importedAs';

/** A key held whole as one component: `{kore:key, value}`. */
export const VALUE = 'value';

export const DEFINITION_KEY = 'botDefinition';
export const SENTENCES_KEY = 'sentences';
export const COMPONENTS_KEY = 'dialogComponents';
export const LOCALE_KEY = 'localeData';
export const SYNONYMS_KEY = 'localeData.synonyms';
export const ENV_KEY = 'config.envVariables';

/** Arrays whose items each become a component. */
export const ITEM_KINDS: Record<string, ComponentKind> = {
  dialogs: 'dialog',
  alerts: 'alert',
  actions: 'action',
  knowledgeTasks: 'knowledgeGraph',
  smallTalk: 'smallTalk',
  customDashboards: 'customDashboard',
};
/** Tasks: their nodes come with them, and what they reach becomes refs. */
export const TASK_KEYS = ['dialogs', 'alerts', 'actions'];

/** Keys kept whole as one component each; the nlpData ones live in the default language's locale. */
export const VALUE_KINDS: Record<string, ComponentKind> = {
  variables: 'botVariables',
  contentVariables: 'botVariables',
  ivrSettings: 'ivrSettings',
  twilioVoiceSettings: 'ivrSettings',
  audioCodesSettings: 'ivrSettings',
  korevgSettings: 'ivrSettings',
  llmConfigsForStream: 'genAIandLLMSettings',
  llmConfiguration: 'genAIandLLMSettings',
  dialogGPTSettings: 'genAIandLLMSettings',
  patterns: 'patterns',
  traits: 'traits',
  mlParams: 'nlpSettings',
  advancedNLSettings: 'nlpSettings',
};

/** Kore's language codes and the locale ids botport (and Lex) use for them. */
const LOCALES: Record<string, string> = {
  en: 'en_US',
  de: 'de_DE',
  es: 'es_ES',
  fr: 'fr_FR',
  it: 'it_IT',
  nl: 'nl_NL',
  pt: 'pt_BR',
  ja: 'ja_JP',
  ko: 'ko_KR',
  zh: 'zh_CN',
  ar: 'ar_AE',
  hi: 'hi_IN',
  sv: 'sv_SE',
  da: 'da_DK',
  fi: 'fi_FI',
  nb: 'nb_NO',
  pl: 'pl_PL',
  ru: 'ru_RU',
  tr: 'tr_TR',
};

/** The locale of a Kore language: `en` → en_US, `zh_cn` → zh_CN, any other two or three letters → `{xx}_001` (the world). */
export function localeOfLanguage(language: string): string {
  const known = LOCALES[language];
  if (known) return known;
  const [lang, region] = language.split(/[_-]/);
  const locale = region ? `${lang.toLowerCase()}_${region.toUpperCase()}` : `${lang.toLowerCase()}_001`;
  if (!LOCALE_PATTERN.test(locale)) throw new ValidationError(`the Kore bot's language '${language}' is not a language code botport can place`);
  return locale;
}

/** How notes name what a component held in Kore: `Kore.ai dialog 'Book Cab'`, `Kore.ai botDefinition.json 'patterns' (en_US)`. */
export function describeKore(key: string, name: string, locale?: string): string {
  const what =
    ITEM_KINDS[key] ??
    { [SENTENCES_KEY]: 'intent', [LOCALE_KEY]: 'language', [SYNONYMS_KEY]: 'synonyms', [DEFINITION_KEY]: 'bot settings', [ENV_KEY]: CONFIG_FILE }[key] ??
    DEFINITION_FILE;
  return `Kore.ai ${what} '${name}'${locale ? ` (${locale})` : ''}`;
}

/** Kore's language code for a locale botport made from one (en_US → en); the language part of any other. */
export function languageOfLocale(locale: string): string {
  return Object.entries(LOCALES).find(([, l]) => l === locale)?.[0] ?? locale.split('_')[0];
}

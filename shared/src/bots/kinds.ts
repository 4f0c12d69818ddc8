/**
 * Component kinds and the export categories they belong to (Kore.ai's
 * `exportOptions` names). Locale-scoped kinds carry a `locale`; the others
 * belong to the bot as a whole.
 */
export const KIND_CATEGORIES = {
  // settings
  botSettings: 'settings',
  botVariables: 'settings',
  ivrSettings: 'settings',
  genAIandLLMSettings: 'settings',
  // tasks (dialog, alert and action are Kore's "botTask")
  dialog: 'tasks',
  alert: 'tasks',
  action: 'tasks',
  knowledgeGraph: 'tasks',
  smallTalk: 'tasks',
  // nlpData (utterances live inside intents and tasks)
  patterns: 'nlpData',
  traits: 'nlpData',
  rules: 'nlpData',
  concepts: 'nlpData',
  synonyms: 'nlpData',
  standardResponses: 'nlpData',
  nlpSettings: 'nlpData',
  // locale structure
  locale: 'structure',
  intent: 'structure',
  slotType: 'structure',
  // other
  customDashboard: 'other',
} as const;

export type ComponentKind = keyof typeof KIND_CATEGORIES;

/** Kore's "botTask": the kinds that named sub-tasks and their dependencies pick from. */
export const TASK_KINDS: ReadonlySet<string> = new Set<ComponentKind>(['dialog', 'alert', 'action']);
export const COMPONENT_KINDS = Object.keys(KIND_CATEGORIES) as ComponentKind[];

const LOCALE_SCOPED = new Set<ComponentKind>([
  'locale',
  'intent',
  'slotType',
  'patterns',
  'traits',
  'rules',
  'concepts',
  'synonyms',
  'standardResponses',
  'nlpSettings',
]);

export function isKind(value: string): value is ComponentKind {
  return Object.prototype.hasOwnProperty.call(KIND_CATEGORIES, value);
}

export function isLocaleScoped(kind: ComponentKind): boolean {
  return LOCALE_SCOPED.has(kind);
}

/** Lex-style locale ids: en_US, ko_KR, es_419, gsw_CH. */
export const LOCALE_PATTERN = /^[a-z]{2,3}_[A-Z0-9]{2,3}$/;

import type { StoredComponent } from '../bots/snapshot';
import { type ComponentKind, KIND_CATEGORIES, TASK_KINDS } from '../bots/kinds';
import { ValidationError } from '../errors';
import { type TaskGraph, taskKey } from '../bots/task-graph';

/** Kore.ai's `exportOptions` item names and the kinds each one stands for. */
export const CATEGORY_ITEMS = {
  settings: { botSettings: ['botSettings'], botVariables: ['botVariables'], ivrSettings: ['ivrSettings'], genAIandLLMSettings: ['genAIandLLMSettings'] },
  tasks: { botTask: ['dialog', 'alert', 'action'], knowledgeGraph: ['knowledgeGraph'], smallTalk: ['smallTalk'] },
  nlpData: {
    utterances: [],
    patterns: ['patterns'],
    traits: ['traits'],
    rules: ['rules'],
    concepts: ['concepts'],
    synonyms: ['synonyms'],
    standardResponses: ['standardResponses'],
    nlpSettings: ['nlpSettings'],
  },
} as const satisfies Record<string, Record<string, readonly ComponentKind[]>>;

export type Category = keyof typeof CATEGORY_ITEMS;
const TASK_LISTS = { dialogs: 'dialog', alerts: 'alert', actions: 'action' } as const;
type TaskList = keyof typeof TASK_LISTS;

/** What an export includes beyond bot, version and locale. Omitted = everything. */
export interface ExportOptions {
  /** When given, a category's kinds are included only if listed; a category left out is excluded. */
  categories?: Partial<Record<Category, string[]>>;
  /** Named tasks; when given, only these tasks (and, with includeDependentTasks, what they reference). */
  subTasks?: Partial<Record<TaskList, string[]>>;
  includeDependentTasks?: boolean;
  customDashboards?: boolean;
}

export interface Selection {
  localeId: string | null;
  options: ExportOptions;
  /** Task keys (`kind\0name`) chosen by subTasks and their closure; undefined = all tasks. */
  tasks?: Set<string>;
}

/** The kinds the categories let through, and whether sample utterances stay. */
function allowedKinds(options: ExportOptions): { kinds: Set<ComponentKind>; utterances: boolean } {
  const all = Object.keys(KIND_CATEGORIES) as ComponentKind[];
  const kinds = new Set(all);
  let utterances = true;
  if (options.categories) {
    for (const [category, items] of Object.entries(CATEGORY_ITEMS) as [Category, Record<string, readonly ComponentKind[]>][]) {
      const chosen = new Set(options.categories[category] ?? []);
      for (const [item, itemKinds] of Object.entries(items)) {
        if (chosen.has(item)) continue;
        itemKinds.forEach((k) => kinds.delete(k));
        if (item === 'utterances') utterances = false;
      }
    }
  }
  if (options.customDashboards === false) kinds.delete('customDashboard');
  return { kinds, utterances };
}

/** Categories whose kinds are all bot-level: a locale export holds none of them. */
const BOT_LEVEL_CATEGORIES: Category[] = ['settings', 'tasks'];

/**
 * Refuses option items that do not exist, naming them; and, for a locale
 * export, options that could only pick bot-level components (tasks, bot
 * settings): they would be dropped without a word, so they are refused.
 */
export function checkExportOptions(options: ExportOptions, localeId?: string): void {
  const errors = [];
  if (localeId) {
    const why = `a locale export holds only locale ${localeId}'s components; tasks and bot settings are bot-level, so export the whole bot to include them`;
    if (namesTasks(options.subTasks)) errors.push({ path: '$.exportOptions.subTasks', message: `names tasks: ${why}` });
    for (const category of BOT_LEVEL_CATEGORIES) {
      if (options.categories?.[category]?.length) errors.push({ path: `$.exportOptions.${category}`, message: `names ${category} items: ${why}` });
    }
  }
  for (const [category, items] of Object.entries(options.categories ?? {})) {
    const known = CATEGORY_ITEMS[category as Category];
    if (!known) {
      errors.push({ path: `$.exportOptions.${category}`, message: `is not a category (${Object.keys(CATEGORY_ITEMS).join(', ')})` });
      continue;
    }
    (items ?? []).forEach((item, i) => {
      if (!(item in known)) errors.push({ path: `$.exportOptions.${category}[${i}]`, message: `'${item}' is not one of ${Object.keys(known).join(', ')}` });
    });
  }
  if (errors.length) throw new ValidationError('exportOptions is invalid', errors);
}

/**
 * Resolves named sub-tasks against a version's task graph: the named tasks,
 * plus with `includeDependentTasks` everything they reach through `refs`
 * (cycles end). A name that does not exist is a validation error naming it.
 */
/** Whether sub-tasks name any task. Empty lists name nothing: Kore's own sample sends them with allTasks meaning "every task". */
export function namesTasks(subTasks: ExportOptions['subTasks']): boolean {
  return Object.values(subTasks ?? {}).some((names) => names?.length);
}

export function resolveTasks(options: ExportOptions, graph: TaskGraph): Set<string> | undefined {
  if (!namesTasks(options.subTasks)) return undefined;
  const chosen = new Set<string>();
  const missing: string[] = [];
  const queue: string[] = [];
  for (const [list, kind] of Object.entries(TASK_LISTS) as [TaskList, string][]) {
    for (const name of options.subTasks?.[list] ?? []) {
      const key = taskKey(kind, name);
      if (!graph.has(key)) missing.push(`${kind} '${name}'`);
      else if (!chosen.has(key)) {
        chosen.add(key);
        queue.push(key);
      }
    }
  }
  if (missing.length) throw new ValidationError(`subTasks names tasks that do not exist in this version: ${missing.join(', ')}`);
  while (options.includeDependentTasks && queue.length) {
    for (const ref of graph.get(queue.shift() as string) ?? []) {
      const key = taskKey(ref.kind, ref.name);
      if (graph.has(key) && !chosen.has(key)) {
        chosen.add(key);
        queue.push(key);
      }
    }
  }
  return chosen;
}

/** The resolved task list for the manifest: `dialog/Checkout`, … in a fixed order. */
export function describeTasks(tasks: Set<string> | undefined): string[] | undefined {
  return tasks && [...tasks].map((k) => k.replace('\u0000', '/')).sort();
}

/** Whether an export keeps sample utterances (its categories do not leave out the `utterances` item). */
export function keepsUtterances(options: ExportOptions): boolean {
  return allowedKinds(options).utterances;
}

/** A component without its sample utterances, when its body has any. */
export function withoutUtterances<T extends StoredComponent>(c: T): T {
  if (!c.bodyJson.includes('"sampleUtterances"')) return c;
  const body = JSON.parse(c.bodyJson) as Record<string, unknown>;
  delete body.sampleUtterances;
  return { ...c, bodyJson: JSON.stringify(body) };
}

/**
 * Keeps the components an export includes: one locale's only, the kinds the
 * categories allow, the chosen tasks; removes sample utterances when the
 * `utterances` item is left out, unless `keepBodies` (a derived layout
 * removes them as it derives each component's files).
 */
export async function* selectComponents<T extends StoredComponent>(components: AsyncIterable<T>, selection: Selection, keepBodies = false): AsyncGenerator<T> {
  const { kinds, utterances } = allowedKinds(selection.options);
  for await (const c of components) {
    if (selection.localeId && c.locale !== selection.localeId) continue;
    if (!kinds.has(c.kind)) continue;
    if (selection.tasks && TASK_KINDS.has(c.kind) && !selection.tasks.has(taskKey(c.kind, c.name))) continue;
    yield utterances || keepBodies ? c : withoutUtterances(c);
  }
}

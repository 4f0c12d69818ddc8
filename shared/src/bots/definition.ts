import { z } from 'zod';
import { type FieldError, ValidationError } from '../errors';
import { COMPONENT_KINDS, type ComponentKind, isKind, isLocaleScoped, LOCALE_PATTERN } from './kinds';

export interface ComponentRef {
  kind: ComponentKind;
  name: string;
  locale?: string;
}

export interface Component {
  kind: ComponentKind;
  locale?: string;
  name: string;
  body: Record<string, unknown>;
  refs?: ComponentRef[];
}

/** The definition document: the native archive's content and Xenioo's backup body. */
export interface DefinitionDocument {
  formatVersion: 1;
  bot: { name: string; description?: string };
  components: Component[];
}

export const MAX_NAME_LENGTH = 200;

/**
 * Bot and component names, stored and compared in Unicode NFC: two names a
 * person reads as the same (a precomposed é and e + combining accent) are
 * one name, never two components.
 */
export const nameSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(MAX_NAME_LENGTH)
  .transform((s) => s.normalize('NFC'));
const name = nameSchema;
const kind = z.string().refine(isKind, { message: `must be one of: ${COMPONENT_KINDS.join(', ')}` });
const ref = z.object({ kind, name, locale: z.string().optional() }).strict();

export const componentSchema = z
  .object({
    kind,
    locale: z.string().regex(LOCALE_PATTERN, 'must be a locale id such as en_US').optional(),
    name,
    body: z.record(z.string(), z.unknown()),
    refs: z.array(ref).optional(),
  })
  .strict();

/** The definition document's top level (components are checked one by one, with paths). */
export const documentSchema = z
  .object({
    formatVersion: z.literal(1),
    bot: z.object({ name, description: z.string().max(2000).optional() }).strict(),
    components: z.array(z.unknown()),
  })
  .strict();

/** The document as botport writes it (GET of a version, Xenioo's backup): every component whole. */
export const definitionDocumentView = documentSchema.extend({ components: z.array(componentSchema) });

export function jsonPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : `${acc}.${String(p)}`), '$');
}

function zodErrors(error: z.ZodError, prefix: PropertyKey[] = []): FieldError[] {
  return error.issues.map((i) => ({ path: jsonPath([...prefix, ...i.path]), message: i.message }));
}

/** Keyed by the body object: a body replaced since it was read has no source. */
const sources = new WeakMap<object, string>();

/**
 * Records the definition-document text a checked component was parsed from
 * (an entry of botport's own archive, whose `body` is the component's body
 * as it is): an import hands PostgreSQL that text to take the body from,
 * instead of serializing the parsed body again. Bodies are never changed in
 * place once read.
 */
export function withSource(c: Component, text: string): Component {
  sources.set(c.body, text);
  return c;
}

/** The component as a JSON object text whose `body` is its body: its source when it has one, else its body serialized. */
export function bodyDocument(c: Component): string {
  return sources.get(c.body) ?? `{"body":${JSON.stringify(c.body)}}`;
}

/** The identity of a component inside one version: kind, locale and name. */
export function componentKey(c: { kind: string; locale?: string | null; name: string }): string {
  return `${c.kind}\u0000${c.locale ?? ''}\u0000${c.name}`;
}

/**
 * Checks one component's own shape and the rules that need no other
 * component: locale present exactly for locale-scoped kinds, and the fields
 * the system reads (`sampleUtterances`, `slots[].slotTypeName`).
 */
export function checkComponent(input: unknown, at: PropertyKey[]): { component?: Component; errors: FieldError[] } {
  const parsed = componentSchema.safeParse(input);
  if (!parsed.success) return { errors: zodErrors(parsed.error, at) };
  const c = parsed.data as Component;
  const errors: FieldError[] = [];
  const scoped = isLocaleScoped(c.kind);
  if (scoped && !c.locale) errors.push({ path: jsonPath([...at, 'locale']), message: `is required for kind ${c.kind}` });
  if (!scoped && c.locale) errors.push({ path: jsonPath([...at, 'locale']), message: `is not allowed for bot-level kind ${c.kind}` });
  if (c.kind === 'locale' && c.locale && c.name !== c.locale) {
    errors.push({ path: jsonPath([...at, 'name']), message: 'a locale component is named after its locale id' });
  }
  const utterances = c.body.sampleUtterances;
  if (utterances !== undefined && utterances !== null) {
    // Lex writes null for none
    if (!Array.isArray(utterances)) errors.push({ path: jsonPath([...at, 'body', 'sampleUtterances']), message: 'must be an array' });
    else
      utterances.forEach((u, i) => {
        if (typeof (u as { utterance?: unknown })?.utterance !== 'string') {
          errors.push({ path: jsonPath([...at, 'body', 'sampleUtterances', i, 'utterance']), message: 'must be a string' });
        }
      });
  }
  const slots = c.body.slots;
  if (c.kind === 'intent' && slots !== undefined) {
    if (!Array.isArray(slots)) errors.push({ path: jsonPath([...at, 'body', 'slots']), message: 'must be an array' });
    else
      slots.forEach((s, i) => {
        const slot = s as { name?: unknown; slotTypeName?: unknown };
        if (typeof slot?.name !== 'string' || !slot.name)
          errors.push({ path: jsonPath([...at, 'body', 'slots', i, 'name']), message: 'must be a non-empty string' });
        if (typeof slot?.slotTypeName !== 'string' || !slot.slotTypeName) {
          errors.push({ path: jsonPath([...at, 'body', 'slots', i, 'slotTypeName']), message: 'must be a non-empty string' });
        }
      });
  }
  return errors.length ? { errors } : { component: c, errors };
}

/** Every component another one depends on: its explicit refs and those its body implies. */
export function dependenciesOf(c: Component): ComponentRef[] {
  const deps: ComponentRef[] = (c.refs ?? []).map((r) => ({
    ...r,
    locale: r.locale ?? (isLocaleScoped(r.kind) ? c.locale : undefined),
  }));
  if (c.locale && c.kind !== 'locale') deps.push({ kind: 'locale', name: c.locale, locale: c.locale });
  if (c.kind === 'intent' && Array.isArray(c.body.slots)) {
    for (const s of c.body.slots as { slotTypeName: string }[]) {
      if (!s.slotTypeName.startsWith('AMAZON.')) deps.push({ kind: 'slotType', name: s.slotTypeName, locale: c.locale });
    }
  }
  return deps;
}

function describeRef(r: ComponentRef): string {
  return r.locale ? `${r.kind} '${r.name}' in locale ${r.locale}` : `${r.kind} '${r.name}'`;
}

/**
 * Validates a whole definition document: shape, unique names per
 * (kind, locale), and references that resolve inside the document. Throws a
 * ValidationError listing every violation with its JSON path.
 */
export function validateDefinition(input: unknown): DefinitionDocument {
  const top = documentSchema.safeParse(input);
  if (!top.success) throw new ValidationError('the definition document is invalid', zodErrors(top.error));

  const errors: FieldError[] = [];
  const components: Component[] = [];
  const seen = new Map<string, number>();
  top.data.components.forEach((raw, i) => {
    const { component, errors: own } = checkComponent(raw, ['components', i]);
    errors.push(...own);
    if (!component) return;
    const key = componentKey(component);
    const first = seen.get(key);
    if (first !== undefined) {
      errors.push({ path: jsonPath(['components', i, 'name']), message: `duplicates components[${first}]: names are unique per kind and locale` });
      return;
    }
    seen.set(key, i);
    components.push(component);
  });

  const byKey = new Map(components.map((c) => [componentKey(c), c]));
  components.forEach((c) => {
    const index = seen.get(componentKey(c)) as number;
    for (const dep of dependenciesOf(c)) {
      if (!byKey.has(componentKey(dep))) {
        errors.push({ path: jsonPath(['components', index]), message: `references ${describeRef(dep)}, which is not in the document` });
      }
    }
  });

  if (errors.length) throw new ValidationError(`the definition document has ${errors.length} error(s)`, errors);
  return { formatVersion: 1, bot: top.data.bot, components };
}

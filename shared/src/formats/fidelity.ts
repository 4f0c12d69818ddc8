import type { StoredComponent } from '../bots/snapshot';
import type { ArchiveFormat, FormatComponent, FormatInput, Json } from './format';

/**
 * A bot carried from one platform's format to another keeps what the target
 * has a place for. Each component the target cannot hold is left out and
 * named in the export's notes, in the words of the platform it came from
 * ("EDDI httpcalls 'Weather' has no Lex V2 equivalent"); a component it holds
 * loses the body keys another format keeps for itself (`kore:…`), also noted.
 * Nothing is dropped without a note. (A format with a derived layout fits
 * each component as it derives its files: see derived-files.ts.)
 */
export function reportingFidelity(formats: Record<string, ArchiveFormat>): Record<string, ArchiveFormat> {
  const all = Object.values(formats);
  return Object.fromEntries(
    Object.entries(formats).map(([name, format]) => [
      name,
      format.holds && !format.layout
        ? { ...format, entries: (input: FormatInput) => format.entries({ ...input, components: fitting(input, format, all) }) }
        : format,
    ]),
  );
}

/** How notes name a component: as the format that read it names it, else by kind, name and locale. */
export function describeComponent(c: StoredComponent, body: Json, formats: ArchiveFormat[]): string {
  for (const f of formats) {
    const described = f.describe?.(c, body);
    if (described) return described;
  }
  return `${c.kind} '${c.name}'${c.locale ? ` (${c.locale})` : ''}`;
}

/**
 * One component as `target` takes it: undefined when the target has no
 * place for it; else its body without the keys other formats keep for
 * themselves (removed from `body` itself). Either is noted.
 */
export function fit(c: StoredComponent, body: Json, target: ArchiveFormat, formats: ArchiveFormat[], note: (message: string) => void): Json | undefined {
  const label = target.label ?? target.name;
  if (target.holds && !target.holds(c, body)) {
    note(`${describeComponent(c, body, formats)} has no ${label} equivalent`);
    return undefined;
  }
  const foreign = formats.filter((f) => f.namespace && f !== target).map((f) => `${f.namespace}:`);
  const dropped = Object.keys(body).filter((k) => foreign.some((prefix) => k.startsWith(prefix)));
  if (dropped.length) {
    note(`${describeComponent(c, body, formats)}: ${label} has no place for ${dropped.join(', ')}; the rest is kept`);
    for (const k of dropped) delete body[k];
  }
  return body;
}

/** The closing note on what a format left out, by kind; undefined when nothing was. */
export function leftOutNote(target: ArchiveFormat, leftOut: Map<string, number>): string | undefined {
  if (!leftOut.size) return undefined;
  const counts = [...leftOut].map(([kind, n]) => `${kind} (${n})`).join(', ');
  return `left out what ${target.label ?? target.name} has no place for: ${counts}; export BotportJson to keep every component`;
}

async function* fitting(input: FormatInput, target: ArchiveFormat, formats: ArchiveFormat[]): AsyncGenerator<FormatComponent> {
  const leftOut = new Map<string, number>();
  for await (const c of input.components) {
    const parsed = JSON.parse(c.bodyJson) as Json;
    const keys = Object.keys(parsed).length;
    const body = fit(c, parsed, target, formats, input.note);
    if (!body) {
      leftOut.set(c.kind, (leftOut.get(c.kind) ?? 0) + 1);
      continue;
    }
    yield Object.keys(body).length === keys ? { ...c, body } : { ...c, body, bodyJson: JSON.stringify(body) };
  }
  const closing = leftOutNote(target, leftOut);
  if (closing) input.note(closing);
}

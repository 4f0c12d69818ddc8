import type { StoredComponent } from '../bots/snapshot';
import type { ArchiveFormat, FormatComponent, FormatInput, Json } from './format';

/**
 * A bot carried from one platform's format to another keeps what the target
 * has a place for. Each component the target cannot hold is left out and
 * named in the export's notes, in the words of the platform it came from
 * ("EDDI httpcalls 'Weather' has no Lex V2 equivalent"); a component it holds
 * loses the body keys another format keeps for itself (`kore:…`), also noted.
 * Nothing is dropped without a note.
 */
export function reportingFidelity(formats: Record<string, ArchiveFormat>): Record<string, ArchiveFormat> {
  const all = Object.values(formats);
  return Object.fromEntries(
    Object.entries(formats).map(([name, format]) => [
      name,
      format.holds ? { ...format, entries: (input: FormatInput) => format.entries({ ...input, components: fitting(input, format, all) }) } : format,
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

async function* fitting(input: FormatInput, target: ArchiveFormat, formats: ArchiveFormat[]): AsyncGenerator<FormatComponent> {
  const label = target.label ?? target.name;
  const foreign = formats.filter((f) => f.namespace && f !== target).map((f) => `${f.namespace}:`);
  const leftOut = new Map<string, number>();
  for await (const c of input.components) {
    const body = JSON.parse(c.bodyJson) as Json;
    if (!target.holds!(c, body)) {
      input.note(`${describeComponent(c, body, formats)} has no ${label} equivalent`);
      leftOut.set(c.kind, (leftOut.get(c.kind) ?? 0) + 1);
      continue;
    }
    const dropped = Object.keys(body).filter((k) => foreign.some((prefix) => k.startsWith(prefix)));
    if (!dropped.length) {
      yield { ...c, body };
      continue;
    }
    input.note(`${describeComponent(c, body, formats)}: ${label} has no place for ${dropped.join(', ')}; the rest is kept`);
    for (const k of dropped) delete body[k];
    yield { ...c, body, bodyJson: JSON.stringify(body) };
  }
  if (leftOut.size) {
    const counts = [...leftOut].map(([kind, n]) => `${kind} (${n})`).join(', ');
    input.note(`left out what ${label} has no place for: ${counts}; export BotportJson to keep every component`);
  }
}

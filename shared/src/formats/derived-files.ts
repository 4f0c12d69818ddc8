import { deflatePool } from '../archive/deflate-pool';
import type { ArchiveFormat, ComponentFiles, Derivation, DerivedLayout, FormatComponent, FormatInput, Json, PreparedComponent, PreparedFiles } from './format';
import { fit, leftOutNote } from './fidelity';
import { withoutUtterances } from '../exports/selection';

/** A component's files as derived for a format, before they are deflated; `leftOut` when the format has no place for it. */
export interface Derived extends ComponentFiles {
  leftOut: boolean;
}

/**
 * What `target` writes for one component: fitted to the format first (left
 * out, or foreign keys removed, each noted), then its files. A pure function
 * of the component and the derivation's options, so its result may be kept.
 */
export function deriveFiles(c: FormatComponent, target: ArchiveFormat, formats: ArchiveFormat[], stripUtterances: boolean): Derived {
  if (!target.layout) throw new Error(`${target.name} has no derived layout`);
  const notes: string[] = [];
  let component = stripUtterances ? withoutUtterances(c) : c;
  let parsed: Json | undefined;
  const body = () => (parsed ??= JSON.parse(component.bodyJson) as Json);
  if (target.holds) {
    const keys = Object.keys(body()).length;
    const fitted = fit(component, body(), target, formats, (m) => notes.push(m));
    if (!fitted) return { files: [], notes, marks: {}, leftOut: true };
    if (Object.keys(fitted).length !== keys) component = { ...component, bodyJson: JSON.stringify(fitted) };
  }
  const derived = target.layout.files(component, body);
  return { ...derived, notes: [...notes, ...derived.notes], leftOut: false };
}

/**
 * The components of a derived layout, each with its files ready for the zip:
 * as the cache handed them (`ready`), or derived here and deflated on the
 * pool (kept once deflated). Notes are made in component order; what was
 * left out is summed up last.
 */
export async function* prepareComponents(
  input: Pick<FormatInput, 'components' | 'note'>,
  target: ArchiveFormat,
  formats: ArchiveFormat[],
  derivation: Derivation,
): AsyncGenerator<PreparedComponent> {
  const leftOut = new Map<string, number>();
  for await (const c of input.components) {
    const ready = c.ready ?? derive(c, target, formats, derivation);
    ready.notes.forEach(input.note);
    if (ready.leftOut) {
      leftOut.set(c.kind, (leftOut.get(c.kind) ?? 0) + 1);
      continue;
    }
    yield { kind: c.kind, locale: c.locale, name: c.name, files: ready.files, marks: ready.marks };
  }
  const closing = leftOutNote(target, leftOut);
  if (closing) input.note(closing);
}

/** A component derived now: its files deflating on the pool, handed to `keep` once they are. */
function derive(c: FormatComponent, target: ArchiveFormat, formats: ArchiveFormat[], derivation: Derivation): PreparedFiles {
  const { files: derivedFiles, notes, marks, leftOut } = deriveFiles(c, target, formats, derivation.withoutUtterances);
  const pool = deflatePool();
  const files = derivedFiles.map((f) => ({ path: f.path, entry: { size: f.data.length, stored: pool.deflate(f.data) } }));
  if (derivation.keep) {
    // What waits for the deflate holds neither the body nor the files' bytes: they die young, before a scavenge promotes them.
    const { keep } = derivation;
    const digest = c.digest;
    Promise.all(files.map((f) => f.entry.stored)).then(
      (stored) => keep(digest, { files: files.map((f, i) => ({ path: f.path, stored: stored[i] })), notes, marks, leftOut }),
      () => undefined, // the zip writer meets the same failure and reports it
    );
  }
  return { files, notes, marks, leftOut };
}

/** A derived format's entries without a cache (a diff's projection, a test): every component derived as it comes. */
export function derivedEntries(target: ArchiveFormat, formats: ArchiveFormat[]) {
  const layout = target.layout as DerivedLayout;
  return (input: FormatInput) =>
    layout.arrange({ ...input, components: prepareComponents(input, target, formats, input.derivation ?? { withoutUtterances: false }) });
}

import { el } from './dom.js';

interface Id {
  kind: string;
  locale?: string;
  name: string;
}
export interface Diff {
  from: { ref: string; format: string };
  to: { ref: string; format: string };
  comparedAs: string;
  bot: { changed: string[] };
  added: Id[];
  removed: Id[];
  changed: (Id & { pointers: string[] })[];
  unchanged: number;
  truncated: boolean;
  notes: string[];
}

const label = (c: Id) => `${c.kind} ${c.name}${c.locale ? ` (${c.locale})` : ''}`;

/** A diff as a list a person reads: added, removed, changed with the fields that changed. */
export function diffView(d: Diff): HTMLElement {
  const items = [
    ...d.bot.changed.map((p) => el('li', { class: 'changed' }, `bot ${p}`)),
    ...d.added.map((c) => el('li', { class: 'added' }, `added: ${label(c)}`)),
    ...d.removed.map((c) => el('li', { class: 'removed' }, `removed: ${label(c)}`)),
    ...d.changed.map((c) => el('li', { class: 'changed' }, `changed: ${label(c)} — `, el('code', {}, c.pointers.join(', ')))),
  ];
  return el(
    'div',
    { class: 'diff' },
    el(
      'p',
      {},
      `${d.from.ref} (${d.from.format}) → ${d.to.ref} (${d.to.format}), compared as ${d.comparedAs}: ${items.length ? `${items.length} difference(s)` : 'no differences'}, ${d.unchanged} unchanged.`,
    ),
    items.length ? el('ul', {}, ...items) : null,
    ...d.notes.map((n) => el('p', { class: 'help' }, n)),
  );
}

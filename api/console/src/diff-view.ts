import { el } from './dom.js';
import type { BotDiff, ComponentId as Id } from './models.js';

export type Diff = BotDiff;

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

import fs from 'node:fs';
import path from 'node:path';
import type { Component, DefinitionDocument } from '@botport/shared';

/** The launcher's demo bot: two locales, slots and slot types, dialogs in a chain and a cycle. */
export function demoBot(name = 'PizzaBot'): DefinitionDocument {
  const doc = JSON.parse(fs.readFileSync(path.join(__dirname, '../../infra/local/demo-bot.json'), 'utf8')) as DefinitionDocument;
  return { ...doc, bot: { ...doc.bot, name } };
}

/** Components in the store's canonical order, for comparing documents. */
export function canonical(components: Component[]): Component[] {
  const key = (c: Component) => `${c.locale ?? ''}\u0000${c.kind}\u0000${c.name}`;
  return [...components].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

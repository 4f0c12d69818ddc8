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

/** The demo bot plus the kinds it lacks, in both locales: every kind there is. */
export function richBot(name = 'RichBot'): DefinitionDocument {
  const doc = demoBot(name);
  const extra = ['en_US', 'de_DE'].flatMap((locale) => [
    { kind: 'traits', locale, name: 'Traits', body: { traits: [{ name: 'hungry', utterances: ['starving', 'so hungry'] }] } },
    { kind: 'rules', locale, name: 'Rules', body: { rules: [{ if: 'hungry', then: 'OrderPizza' }] } },
    { kind: 'concepts', locale, name: 'Concepts', body: { concepts: { '~topping': ['cheese', 'ham', 'über-käse'] } } },
    { kind: 'nlpSettings', locale, name: 'NlpSettings', body: { mlThreshold: 0.4, unicode: 'ünï©ødé ✓' } },
  ]) as Component[];
  return { ...doc, bot: { ...doc.bot, description: 'every kind of component, two locales' }, components: [...doc.components, ...extra] };
}

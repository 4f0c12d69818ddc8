import { dependenciesOf, validateDefinition } from '../../shared/src/bots/definition';
import { derivedIdentifier, lexName, ownerOf } from '../../shared/src/formats/lex-json/layout';
import { jsonProblem, decodedText } from '../../shared/src/input/input-guard';
import { checkExportOptions, resolveTasks, selectComponents } from '../../shared/src/exports/selection';
import type { StoredComponent } from '../../shared/src/bots/snapshot';
import type { TaskGraph } from '../../shared/src/bots/task-graph';

describe('definition documents', () => {
  test('every violation is named by its path; nothing is half accepted', () => {
    const doc = {
      formatVersion: 1,
      bot: { name: 'B' },
      components: [
        { kind: 'locale', locale: 'en_US', name: 'en_US', body: {} },
        { kind: 'intent', locale: 'en_US', name: 'I', body: { slots: [{ name: 's', slotTypeName: 'Missing' }] } },
        { kind: 'spaceship', name: 'X', body: {} },
        { kind: 'dialog', locale: 'en_US', name: 'D', body: {} },
      ],
    };
    expect(() => validateDefinition(doc)).toThrow('the definition document has 3 error(s)');
    try {
      validateDefinition(doc);
    } catch (err) {
      expect((err as { errors: { path: string }[] }).errors.map((e) => e.path)).toEqual(['$.components[2].kind', '$.components[3].locale', '$.components[1]']);
    }
  });

  test('names are NFC: é and e + U+0301 are one name, so the second is a duplicate', () => {
    const doc = {
      formatVersion: 1,
      bot: { name: 'Cafe\u0301' },
      components: [
        { kind: 'action', name: 'Caf\u00e9', body: {} },
        { kind: 'action', name: 'Cafe\u0301', body: {} },
      ],
    };
    expect(() => validateDefinition(doc)).toThrow('the definition document has 1 error(s)');
    expect(validateDefinition({ ...doc, components: [doc.components[1]] }).components[0].name).toBe('Caf\u00e9');
  });

  test("an intent depends on its locale and its custom slot types, not on AMAZON's", () => {
    const deps = dependenciesOf({ kind: 'intent', locale: 'en_US', name: 'I', body: { slots: [{ slotTypeName: 'Size' }, { slotTypeName: 'AMAZON.Number' }] } });
    expect(deps).toEqual([
      { kind: 'locale', name: 'en_US', locale: 'en_US' },
      { kind: 'slotType', name: 'Size', locale: 'en_US' },
    ]);
  });
});

describe('Lex naming', () => {
  test('a name Lex accepts stays; any other is repaired the same way every time, and two names never repair alike', () => {
    expect(lexName('OrderPizza')).toBe('OrderPizza');
    expect(lexName('Order pizza!')).toMatch(/^Order_pizza_[0-9a-f]{6}$/);
    expect(lexName('Order pizza!')).toBe(lexName('Order pizza!'));
    expect(lexName('Order pizza?')).not.toBe(lexName('Order pizza!'));
    expect(derivedIdentifier('en_US', 'intent', 'I')).toMatch(/^[0-9A-F]{10}$/);
  });

  test('each file of the layout belongs to its component', () => {
    expect(ownerOf('Bot/BotLocales/en_US/Intents/Hi/Slots/s/Slot.json', 'Bot')).toEqual({
      kind: 'intent',
      locale: 'en_US',
      name: 'Hi',
      file: 'Slots/s/Slot.json',
    });
    expect(ownerOf('Bot/BotLocales/en_US/BotLocale.json', 'Bot')).toEqual({ kind: 'locale', locale: 'en_US', file: 'BotLocale.json' });
    expect(ownerOf('Manifest.json', 'Bot')).toEqual({ kind: 'manifest' });
  });
});

describe('export selection', () => {
  const graph: TaskGraph = new Map([
    ['dialog\u0000A', [{ kind: 'dialog', name: 'B' }]],
    [
      'dialog\u0000B',
      [
        { kind: 'dialog', name: 'A' },
        { kind: 'action', name: 'X' },
      ],
    ],
    ['action\u0000X', []],
    ['dialog\u0000C', []],
  ]);

  test('named tasks and, asked for, everything they reach (cycles end)', () => {
    expect(resolveTasks({ subTasks: { dialogs: ['A'] } }, graph)).toEqual(new Set(['dialog\u0000A']));
    expect(resolveTasks({ subTasks: { dialogs: ['A'] }, includeDependentTasks: true }, graph)).toEqual(
      new Set(['dialog\u0000A', 'dialog\u0000B', 'action\u0000X']),
    );
    expect(() => resolveTasks({ subTasks: { dialogs: ['Nope'] } }, graph)).toThrow("subTasks names tasks that do not exist in this version: dialog 'Nope'");
  });

  test('unknown items, and tasks or bot settings on a locale export, are refused with their paths', () => {
    expect(() => checkExportOptions({ categories: { settings: ['colours'] } })).toThrow('exportOptions is invalid');
    expect(() => checkExportOptions({ subTasks: { dialogs: ['A'] } }, 'en_US')).toThrow('exportOptions is invalid');
    expect(() => checkExportOptions({ categories: { nlpData: ['patterns'], settings: [] } }, 'en_US')).not.toThrow();
  });

  test('one locale, the kinds the categories keep, utterances stripped when left out', async () => {
    const stored: StoredComponent[] = [
      { kind: 'intent', locale: 'en_US', name: 'I', bodyJson: '{"sampleUtterances":[{"utterance":"hi"}],"x":1}' },
      { kind: 'intent', locale: 'de_DE', name: 'J', bodyJson: '{}' },
      { kind: 'patterns', locale: 'en_US', name: 'P', bodyJson: '{}' },
    ];
    const out: StoredComponent[] = [];
    const source = (async function* () {
      yield* stored;
    })();
    for await (const c of selectComponents(source, { localeId: 'en_US', options: { categories: { nlpData: [] } } })) out.push(c);
    expect(out).toEqual([{ kind: 'intent', locale: 'en_US', name: 'I', bodyJson: '{"x":1}' }]);
  });
});

describe('the input guard', () => {
  test('NUL, lone surrogates, odd keys and deep nesting are found iteratively, with their paths', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 10_000; i++) deep = [deep];
    expect(jsonProblem(deep)).toEqual({ path: `$${'[0]'.repeat(100)}`, message: 'nests deeper than 100 levels' });
    expect(jsonProblem({ a: [{ 'b c': 'x\u0000' }] })).toEqual({ path: '$.a[0]["b c"]', message: 'holds a NUL character (\\u0000)' });
    expect(jsonProblem({ ['k\ud800']: 1 })).toEqual({ path: '$', message: 'has a key that holds a lone UTF-16 surrogate, which is not text' });
    expect(jsonProblem({ ok: ['fine', 1, null, { é: 'ü' }] })).toBeUndefined();
  });

  test('percent-decoding refuses bad encodings and what they decode to', () => {
    expect(decodedText('a%20b', 'x')).toBe('a b');
    expect(() => decodedText('%ZZ', 'the path')).toThrow('the path is not valid percent-encoded UTF-8');
    expect(() => decodedText('%c0%ae', 'the path')).toThrow('the path is not valid percent-encoded UTF-8');
    expect(() => decodedText('%00', 'the path')).toThrow('the path holds a NUL character');
  });
});

import { ValidationError } from '../errors';

/**
 * The one guard every input passes — request paths, queries and JSON bodies
 * on every surface, and every JSON entry of an imported archive — before
 * anything parses it further or hands it to PostgreSQL. It refuses what no
 * bot definition holds and what breaks the layers below: NUL characters
 * (PostgreSQL text and jsonb cannot store them), lone UTF-16 surrogates (not
 * text; jsonb refuses them), bad percent-encoding, and JSON nested deeper
 * than MAX_JSON_DEPTH (recursive code below would overflow its stack).
 * Every check is iterative, so the guard itself cannot overflow.
 */

/** Real bot definitions nest a dozen levels; a definition document wraps them in four more. */
export const MAX_JSON_DEPTH = 100;

/** Why a string is refused, or undefined when it is fine. */
export function textProblem(s: string): string | undefined {
  if (s.includes('\u0000')) return 'holds a NUL character (\\u0000)';
  if (!s.isWellFormed()) return 'holds a lone UTF-16 surrogate, which is not text';
  return undefined;
}

/** Where a value sits: its parent's place and its own key, so a path is built only for a refusal. */
interface Place {
  parent?: Place;
  key?: string | number;
  depth: number;
}

/** A field path in the style of every other field error: `$.components[3].body.name`. */
function pathOf(place: Place): string {
  const keys: (string | number)[] = [];
  for (let p: Place | undefined = place; p?.parent; p = p.parent) keys.unshift(p.key!);
  return keys.reduce<string>(
    (acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : /^[A-Za-z_$][\w$]*$/.test(k) ? `${acc}.${k}` : `${acc}[${JSON.stringify(k)}]`),
    '$',
  );
}

/** The first place a parsed JSON value breaks the rules above, or undefined. */
export function jsonProblem(value: unknown, maxDepth = MAX_JSON_DEPTH): { path: string; message: string } | undefined {
  const stack: [unknown, Place][] = [[value, { depth: 0 }]];
  while (stack.length) {
    const [v, place] = stack.pop()!;
    if (typeof v === 'string') {
      const problem = textProblem(v);
      if (problem) return { path: pathOf(place), message: problem };
    } else if (v !== null && typeof v === 'object') {
      if (place.depth >= maxDepth) return { path: pathOf(place), message: `nests deeper than ${maxDepth} levels` };
      const depth = place.depth + 1;
      if (Array.isArray(v)) {
        for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], { parent: place, key: i, depth }]);
      } else {
        for (const key in v) {
          const keyProblem = textProblem(key);
          if (keyProblem) return { path: pathOf(place), message: `has a key that ${keyProblem}` };
          stack.push([(v as Record<string, unknown>)[key], { parent: place, key, depth }]);
        }
      }
    }
  }
  return undefined;
}

/** Whether a value nests deeper than `levels` (recursing no deeper than that). */
function nestsDeeper(v: unknown, levels: number): boolean {
  if (v === null || typeof v !== 'object') return false;
  if (levels === 0) return true;
  if (Array.isArray(v)) return v.some((x) => nestsDeeper(x, levels - 1));
  for (const key in v) if (nestsDeeper((v as Record<string, unknown>)[key], levels - 1)) return true;
  return false;
}

/**
 * Throws a ValidationError naming `what` and the path when the value breaks
 * the rules. Given the text it was parsed from: when that holds no `\u`
 * escape, no string or key can hold a NUL or a lone surrogate (raw ones are
 * not JSON, decoded UTF-8 has none), so only the depth is checked.
 */
export function guardJson(value: unknown, what: string, source?: string): void {
  if (source !== undefined && !source.includes('\\u') && !nestsDeeper(value, MAX_JSON_DEPTH)) return;
  const problem = jsonProblem(value);
  if (problem) throw new ValidationError(`${what} is refused: ${problem.path} ${problem.message}`, [problem]);
}

/** Percent-decodes one path segment or query value, refusing bad encodings and unsafe text. */
export function decodedText(raw: string, what: string): string {
  let text: string;
  try {
    text = decodeURIComponent(raw);
  } catch {
    throw new ValidationError(`${what} is not valid percent-encoded UTF-8`);
  }
  const problem = textProblem(text);
  if (problem) throw new ValidationError(`${what} ${problem}`);
  return text;
}

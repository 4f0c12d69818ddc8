/** RFC 6901: `~` and `/` inside a key are escaped. */
const escape = (key: string): string => key.replace(/~/g, '~0').replace(/\//g, '~1');

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** How many pointers one comparison lists at most; past it the parent stands for the rest. */
const MAX_POINTERS = 200;

/**
 * The JSON pointers (RFC 6901) at which two JSON values differ, as precisely
 * as they go: a changed leaf, a key only one side has, an array element by
 * index (arrays are compared position by position: an element inserted at
 * the front changes every index after it, which is what a reader of the two
 * documents sees too). Equal values give none.
 */
export function changedPointers(a: unknown, b: unknown, at = '', out: string[] = []): string[] {
  if (out.length >= MAX_POINTERS) return out;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if (i >= a.length || i >= b.length) out.push(`${at}/${i}`);
      else changedPointers(a[i], b[i], `${at}/${i}`, out);
    }
    return out;
  }
  if (isObject(a) && isObject(b)) {
    for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      const path = `${at}/${escape(key)}`;
      if (!(key in a) || !(key in b)) out.push(path);
      else changedPointers(a[key], b[key], path, out);
    }
    return out;
  }
  if (a !== b) out.push(at);
  return out;
}

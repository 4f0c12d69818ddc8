import { ValidationError } from '../errors';
import { guardJson } from '../input/input-guard';

/** An archive entry's JSON, or a refusal that names the entry (and, past the input guard, the field). */
export function parseJsonEntry(data: Buffer, name: string): unknown {
  return parseJsonText(data.toString('utf8'), name);
}

/** The same, of an entry's text. */
export function parseJsonText(text: string, name: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ValidationError(`entry '${name}' is not valid JSON: ${(err as Error).message}`);
  }
  guardJson(value, `entry '${name}'`, text);
  return value;
}

/** An archive entry's JSON object, or a refusal that names the entry. */
export function parseJsonObject(data: Buffer, name: string): Record<string, unknown> {
  const value = parseJsonEntry(data, name);
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new ValidationError(`entry '${name}' is not a JSON object`);
  return value as Record<string, unknown>;
}

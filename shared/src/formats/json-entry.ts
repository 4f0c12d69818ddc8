import { ValidationError } from '../errors';

/** An archive entry's JSON, or a refusal that names the entry. */
export function parseJsonEntry(data: Buffer, name: string): unknown {
  try {
    return JSON.parse(data.toString('utf8'));
  } catch (err) {
    throw new ValidationError(`entry '${name}' is not valid JSON: ${(err as Error).message}`);
  }
}

/** An archive entry's JSON object, or a refusal that names the entry. */
export function parseJsonObject(data: Buffer, name: string): Record<string, unknown> {
  const value = parseJsonEntry(data, name);
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new ValidationError(`entry '${name}' is not a JSON object`);
  return value as Record<string, unknown>;
}

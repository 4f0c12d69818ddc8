/** Keys whose value is a credential (`APPID`, `api_key`, `apiKey`, `Authorization`, `clientSecret`, `password`…). */
const SECRET_KEY = /(api[_-]?key|app[_-]?id|app[_-]?key|secret|token|passw(or)?d|authorization|access[_-]?key|private[_-]?key)$/i;
/** A template (`[[${properties.key}]]`, `{properties.apiKey}`), a placeholder or a value already scrubbed is no secret. */
const NOT_A_SECRET = /[{}]|\[\[|^\*+$|redacted|eddivault|^(true|false|null|bearer)$/i;
const SHORTEST = 8;

/**
 * Where a JSON value holds what looks like a credential in clear text, as
 * paths (`httpCalls[0].request.queryParams.APPID`): exports of EDDI 5 and
 * of Kore.ai keep third-party keys unscrubbed. An import keeps them as they
 * are and names them in its notes, so the owner knows to rotate them.
 */
export function clearSecrets(value: unknown, path = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => clearSecrets(v, `${path}[${i}]`));
  if (!value || typeof value !== 'object') return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([key, v]) => {
    const at = path ? `${path}.${key}` : key;
    if (typeof v === 'string') return SECRET_KEY.test(key) && v.trim().length >= SHORTEST && !NOT_A_SECRET.test(v.trim()) ? [at] : [];
    return clearSecrets(v, at);
  });
}

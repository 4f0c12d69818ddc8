import { session } from './api.js';

/** The signed-in token's scopes, read (not verified: the api does that) so the page offers only what the token may do. */
export function scopes(): Set<string> {
  try {
    const claims = JSON.parse(atob((session.token() ?? '').split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))) as { scope?: string };
    return new Set((claims.scope ?? '').split(' ').filter(Boolean));
  } catch {
    return new Set();
  }
}

/** Whether the token holds a scope (a tenant's admin holds them all). */
export function may(scope: string): boolean {
  const held = scopes();
  return held.has(scope) || held.has('admin');
}

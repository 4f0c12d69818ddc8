import { ValidationError } from '../errors';

/** One page of a listing and the cursor of the next, when there is one. */
export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

interface Position {
  us: string;
  id: string;
}

/** Where a page of a newest-first listing stopped: creation to the microsecond, then id. Opaque to callers. */
export function afterCursor(cursor: string | undefined): Position | undefined {
  if (!cursor) return undefined;
  const [us, id] = Buffer.from(cursor, 'base64url').toString('utf8').split(':');
  if (!/^\d{1,20}$/.test(us ?? '') || !/^[0-9A-Za-z]{10}$/.test(id ?? '')) throw new ValidationError('cursor is not a cursor this listing gave out');
  return { us, id };
}

/** `limit + 1` rows → a page of `limit` and, when more came, the next page's cursor. */
export function pageOf<R, T>(rows: R[], limit: number, map: (r: R) => T, position: (r: R) => Position): Page<T> {
  const page = rows.slice(0, limit);
  const last = rows.length > limit ? position(page[page.length - 1]) : undefined;
  return { items: page.map(map), nextCursor: last && Buffer.from(`${last.us}:${last.id}`, 'utf8').toString('base64url') };
}

import type { Change, ChangeFeed } from './change-feed';

const MAX_ENTRIES = 20_000;

/** The key of a row of a tenant: what a change to it makes a cache forget. */
export const rowKey = (tenantId: string, id: string): string => `${tenantId}/${id}`;

/**
 * Records by key, served from memory while the change feed is trusted and
 * read from the database otherwise (always, without a feed: the worker).
 * A change to a row of `table` forgets the keys `keysOf` names for it; a
 * reset forgets everything.
 *
 * A read that raced a change must not put back what the change replaced:
 * every forget bumps a generation, and a loaded record is kept only if no
 * forget happened while it was being read.
 */
export class RecordCache<T> {
  private readonly entries = new Map<string, T>();
  private generation = 0;

  constructor(
    private readonly feed: ChangeFeed | undefined,
    table: string,
    keysOf: (change: Change) => string[] = (c) => [rowKey(c.tenantId, c.id)],
  ) {
    feed?.subscribe((change) => {
      if (change === 'reset') this.clear();
      else if (change.table === table) for (const key of keysOf(change)) this.forget(key);
    });
  }

  async get(key: string, load: () => Promise<T | undefined>): Promise<T | undefined> {
    if (!this.feed?.trusted()) return load();
    const hit = this.entries.get(key);
    if (hit !== undefined) return hit;
    const before = this.generation;
    const value = await load();
    if (value !== undefined && before === this.generation && this.feed.trusted()) {
      if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
      this.entries.set(key, value);
    }
    return value;
  }

  forget(key: string): void {
    this.generation++;
    this.entries.delete(key);
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
  }
}

import type { ChangeFeed } from './change-feed';
import { rowKey } from './record-cache';

/** Told the row each time it changes; `undefined` once it is gone. */
export type RowListener<R> = (row: R | undefined) => void;

/** While the feed cannot be trusted, watched rows are read this often instead. */
const FALLBACK_EVERY_MS = 50;

/**
 * Push for rows many clients watch at once (server-sent events): a change the
 * feed announces is read once, in one query with every other row that changed
 * meanwhile, and handed to each of its watchers. Nothing polls while the feed
 * is trusted; while it is not (its channel lost or slow), every watched row is
 * read again each 50 ms, so a watcher still hears of a change within the
 * feed's bound.
 */
export class RowWatch<R> {
  private readonly watchers = new Map<string, { tenantId: string; id: string; listeners: Set<RowListener<R>> }>();
  private readonly dirty = new Set<string>();
  private flushing?: Promise<void>;
  private fallback?: NodeJS.Timeout;

  constructor(
    private readonly feed: ChangeFeed | undefined,
    table: string,
    /** The tenant's rows of these ids (those that still exist). */
    private readonly read: (tenantId: string, ids: string[]) => Promise<R[]>,
    private readonly idOf: (row: R) => string,
  ) {
    feed?.subscribe((change) => {
      if (change === 'reset') this.markAll();
      else if (change.table === table) this.mark(rowKey(change.tenantId, change.id));
    });
  }

  /** Watches one of a tenant's rows (the caller has checked it may see it); returns the unwatch. */
  watch(tenantId: string, id: string, listener: RowListener<R>): () => void {
    const key = rowKey(tenantId, id);
    let w = this.watchers.get(key);
    if (!w) this.watchers.set(key, (w = { tenantId, id, listeners: new Set() }));
    w.listeners.add(listener);
    this.fallback ??= setInterval(() => !this.feed?.trusted() && this.markAll(), FALLBACK_EVERY_MS).unref();
    return () => {
      w.listeners.delete(listener);
      if (w.listeners.size) return;
      this.watchers.delete(key);
      if (!this.watchers.size) this.fallback = void clearInterval(this.fallback);
    };
  }

  private markAll(): void {
    for (const key of this.watchers.keys()) this.mark(key);
  }

  private mark(key: string): void {
    if (!this.watchers.has(key)) return;
    this.dirty.add(key);
    this.flushing ??= Promise.resolve().then(() => this.flush());
  }

  /** Reads what changed, one query per tenant, and tells the watchers; changes heard meanwhile wait for the next round. */
  private async flush(): Promise<void> {
    try {
      while (this.dirty.size) {
        const byTenant = new Map<string, string[]>();
        for (const key of this.dirty) {
          const w = this.watchers.get(key);
          if (w) byTenant.set(w.tenantId, [...(byTenant.get(w.tenantId) ?? []), w.id]);
        }
        this.dirty.clear();
        await Promise.all([...byTenant].map(([tenantId, ids]) => this.tell(tenantId, ids)));
      }
    } finally {
      this.flushing = undefined;
    }
  }

  private async tell(tenantId: string, ids: string[]): Promise<void> {
    const rows = await this.read(tenantId, ids).catch(() => undefined);
    if (!rows) {
      // The database away: read them again shortly, not in a tight loop.
      setTimeout(() => ids.forEach((id) => this.mark(rowKey(tenantId, id))), FALLBACK_EVERY_MS).unref();
      return;
    }
    const found = new Map(rows.map((r) => [this.idOf(r), r]));
    for (const id of ids) for (const listener of this.watchers.get(rowKey(tenantId, id))?.listeners ?? []) listener(found.get(id));
  }
}

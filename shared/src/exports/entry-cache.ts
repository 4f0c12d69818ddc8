import zlib from 'node:zlib';
import type { Pool } from 'pg';
import type { StoredEntry } from '../archive/deflate-pool';
import type { CachedColumns } from '../bots/snapshot';
import type { ArchiveFormat, Json, PreparedFiles, ReadyFiles } from '../formats/format';

/** Moves when what every cached row means changes (the deflate settings, how fitting notes read, the row's checks). */
const CACHE_REVISION = 3;
/** Rows inserted in one statement; bytes of payload at most. */
const INSERT_ROWS = 100;
const INSERT_BYTES = 2 * 1024 * 1024;
/** Payload waiting or being written at most: past it, rows are let go (the next export derives them again). */
const MAX_HELD_BYTES = 32 * 1024 * 1024;
/** Unreferenced rows live this long past their last use: the seven days an export is kept. */
const KEEP_UNREFERENCED = '7 days';

/** A file as a cache row lists it; `stored` is its length in the row's payload. */
type CachedFile = CachedColumns['files'][number];

/**
 * The variant a derived format's files are cached under: the format, its
 * revision and the cache's, and what the export changes in bodies. Undefined
 * for a format that is not derived per component.
 */
export function cacheVariant(format: ArchiveFormat, withoutUtterances: boolean): string | undefined {
  if (!format.layout) return undefined;
  return `${format.name}/${CACHE_REVISION}.${format.layout.revision}${withoutUtterances ? '-utterances' : ''}`;
}

/**
 * A joined cache row as the component's ready files; undefined when the row
 * is damaged (its payload not the length its files add up to, or a file's
 * stored bytes not matching their CRC-32): the component is then derived
 * again, never written from a damaged row. Checking costs one CRC over the
 * deflated bytes, not inflating them.
 */
export function readyFrom(row: CachedColumns): PreparedFiles | undefined {
  const payload = Buffer.from(row.payload, 'base64');
  if (!Array.isArray(row.files) || row.files.reduce((n, f) => n + f.stored, 0) !== payload.length) return undefined;
  let at = 0;
  const files = [];
  for (const f of row.files) {
    const bytes = payload.subarray(at, (at += f.stored));
    if (zlib.crc32(bytes) !== f.check) return undefined;
    const stored: StoredEntry = { method: f.method, crc32: f.crc32, size: f.size, sha256: f.sha256, payload: bytes };
    files.push({ path: f.path, entry: { size: f.size, stored } });
  }
  const { leftOut, ...marks } = row.marks;
  return { files, notes: row.notes, marks, leftOut: leftOut === true };
}

interface Waiting {
  variant: string;
  digest: Buffer;
  files: CachedFile[];
  notes: string[];
  marks: Json;
  payload: Buffer;
}

/**
 * One export's (or backup's) use of the archive entry cache of its tenant:
 * files derived during the export are written in batches on a connection of
 * their own, while the export goes on; rows used that were last used more
 * than a day ago are marked used. A failure to write is reported and
 * otherwise ignored: the cache only makes the next export faster.
 */
export class EntryCache {
  private waiting: Waiting[] = [];
  private waitingBytes = 0;
  /** Payload waiting or being written. */
  private heldBytes = 0;
  private touched = new Map<string, Buffer[]>();
  private damaged: { variant: string; digest: Buffer }[] = [];
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Pool,
    private readonly tenantId: string,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** What a derived layout hands each component it derived: kept under `variant`. */
  keeper(variant: string): (digest: string | undefined, ready: ReadyFiles) => void {
    return (digest, ready) => {
      if (!digest || this.heldBytes >= MAX_HELD_BYTES) return;
      const files = ready.files.map(({ path, stored: s }) => ({
        path,
        size: s.size,
        sha256: s.sha256,
        crc32: s.crc32,
        method: s.method,
        stored: s.payload.length,
        check: zlib.crc32(s.payload),
      }));
      const payload = Buffer.concat(ready.files.map((f) => f.stored.payload));
      const marks = ready.leftOut ? { ...ready.marks, leftOut: true } : ready.marks;
      this.waiting.push({ variant, digest: Buffer.from(digest, 'hex'), files, notes: ready.notes, marks, payload });
      this.waitingBytes += payload.length;
      this.heldBytes += payload.length;
      if (this.waiting.length >= INSERT_ROWS || this.waitingBytes >= INSERT_BYTES) this.write();
    };
  }

  /** Marks a row used (one read `stale`: last used more than a day ago), so the sweeper keeps it. */
  touch(variant: string, digest: string): void {
    const digests = this.touched.get(variant) ?? this.touched.set(variant, []).get(variant)!;
    digests.push(Buffer.from(digest, 'hex'));
    if (digests.length >= INSERT_ROWS * 10) this.write();
  }

  /** Deletes a damaged row (before anything derived since is written), so the component's files derived again take its place. */
  forget(variant: string, digest: string): void {
    this.damaged.push({ variant, digest: Buffer.from(digest, 'hex') });
  }

  /** Writes what waits; resolves once everything handed so far is written (or given up). */
  async flush(): Promise<void> {
    this.write();
    await this.writing;
  }

  private write(): void {
    const rows = this.waiting;
    const bytes = this.waitingBytes;
    const touched = this.touched;
    const damaged = this.damaged;
    this.waiting = [];
    this.waitingBytes = 0;
    this.touched = new Map();
    this.damaged = [];
    this.writing = this.writing.then(async () => {
      try {
        for (const { variant, digest } of damaged) {
          await this.db.query(`DELETE FROM archive_entry_cache WHERE tenant_id = $1 AND variant = $2 AND digest = $3`, [this.tenantId, variant, digest]);
        }
        if (rows.length) await this.insert(rows);
        for (const [variant, digests] of touched) {
          await this.db.query(`UPDATE archive_entry_cache SET used_at = now() WHERE tenant_id = $1 AND variant = $2 AND digest = ANY($3::bytea[])`, [
            this.tenantId,
            variant,
            digests,
          ]);
        }
      } catch (err) {
        this.onError(err);
      } finally {
        this.heldBytes -= bytes;
      }
    });
  }

  private async insert(rows: Waiting[]): Promise<void> {
    const values: unknown[] = [];
    const tuples = rows.map((r) => {
      const n = values.push(this.tenantId, r.variant, r.digest, JSON.stringify(r.files), JSON.stringify(r.notes), JSON.stringify(r.marks), r.payload);
      return `($${n - 6}, $${n - 5}, $${n - 4}, $${n - 3}::jsonb, $${n - 2}::jsonb, $${n - 1}::jsonb, $${n})`;
    });
    await this.db.query(
      `INSERT INTO archive_entry_cache (tenant_id, variant, digest, files, notes, marks, payload) VALUES ${tuples.join(', ')}
       ON CONFLICT (tenant_id, variant, digest) DO NOTHING`,
      values,
    );
  }
}

/**
 * Deletes cache rows no version references any more (no component of any
 * version has their digest) and unused for seven days, a batch at a time,
 * across tenants (the sweeper's). Returns how many went.
 */
export async function sweepEntryCache(db: Pool, batch: number): Promise<number> {
  let swept = 0;
  for (;;) {
    const { rowCount } = await db.query(
      `DELETE FROM archive_entry_cache e USING (
         SELECT x.tenant_id, x.variant, x.digest FROM archive_entry_cache x
          WHERE x.used_at < now() - interval '${KEEP_UNREFERENCED}'
            AND NOT EXISTS (SELECT 1 FROM components c WHERE c.tenant_id = x.tenant_id AND c.digest = x.digest)
          LIMIT $1) gone
        WHERE e.tenant_id = gone.tenant_id AND e.variant = gone.variant AND e.digest = gone.digest`,
      [batch],
    );
    swept += rowCount ?? 0;
    if ((rowCount ?? 0) < batch) return swept;
  }
}

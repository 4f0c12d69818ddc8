import { SNAPSHOT_BATCH_BYTES, BatchPlan } from '../../shared/src/bots/snapshot';

const KB = 1024;
const MB = 1024 * KB;

interface Row {
  /** Stored (compressed) size of its body, or -1 when it comes with a cached payload. */
  stored: number;
  /** Length of its body's text. */
  text: number;
  payload?: number;
}

/** Reads rows as a snapshot does: a batch planned, fetched, learned from; the bytes each batch brought. */
function batches(rows: Row[], most = 200): number[] {
  const plan = new BatchPlan(
    Int32Array.from(rows, (r) => r.stored),
    Int32Array.from(rows, (r) => r.payload ?? 0),
    most,
  );
  const out: number[] = [];
  for (let at = 0; at < rows.length;) {
    const batch = rows.slice(at, at + plan.next());
    at += batch.length;
    plan.learn(batch.map((r) => (r.stored < 0 ? null : 'x'.repeat(r.text))));
    out.push(batch.reduce((n, r) => n + (r.stored < 0 ? Math.ceil(((r.payload ?? 0) * 4) / 3) : r.text), 0));
  }
  return out;
}

test('megabyte slot types after thousands of small intents are fetched one at a time, not by the hundred', () => {
  const intents: Row[] = Array.from({ length: 2000 }, () => ({ stored: 3 * KB, text: 12 * KB }));
  const slotTypes: Row[] = Array.from({ length: 44 }, () => ({ stored: 1100 * KB, text: 5734 * KB }));
  const read = batches([...intents, ...slotTypes]);
  const large = read.slice(-44);
  expect(large.every((bytes) => bytes === 5734 * KB)).toBe(true); // one slot type per batch
  // The intents come some 21 at a time (256 KB of text), not one by one.
  expect(read.length - 44).toBeLessThan(2000 / 15);
  expect(Math.max(...read.slice(0, -44))).toBeLessThanOrEqual(1.1 * SNAPSHOT_BATCH_BYTES);
});

test('a batch learns how far bodies compress: bodies that compress more than guessed still come a batch size at a time', () => {
  const rows: Row[] = Array.from({ length: 3000 }, () => ({ stored: 1 * KB, text: 20 * KB }));
  const read = batches(rows);
  expect(read[0]).toBeGreaterThan(4 * SNAPSHOT_BATCH_BYTES); // the first guess (4 text bytes per stored byte) was short of 20
  expect(Math.max(...read.slice(1))).toBeLessThanOrEqual(1.05 * SNAPSHOT_BATCH_BYTES);
  expect(Math.min(...read.slice(1, -1))).toBeGreaterThan(0.9 * SNAPSHOT_BATCH_BYTES);
});

test('cached payloads are planned by their base64 size, whatever the bodies around them compress to', () => {
  const rows: Row[] = [
    ...Array.from({ length: 100 }, () => ({ stored: 2 * KB, text: 8 * KB })),
    ...Array.from({ length: 50 }, () => ({ stored: -1, text: 0, payload: 600 * KB })),
  ];
  const read = batches(rows);
  expect(read.slice(-50).every((bytes) => bytes === 800 * KB)).toBe(true); // one 800 KB payload per batch, more than a batch aims at
});

test('no batch is over the cap on rows, however small they are, and every batch holds at least one row', () => {
  const tiny = batches(
    Array.from({ length: 1000 }, () => ({ stored: 10, text: 40 })),
    200,
  );
  expect(tiny).toHaveLength(5);
  const huge = batches(Array.from({ length: 3 }, () => ({ stored: 40 * MB, text: 200 * MB })));
  expect(huge).toHaveLength(3);
});

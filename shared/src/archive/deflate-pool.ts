import { createHash } from 'node:crypto';
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import zlib from 'node:zlib';

export const METHOD_STORE = 0;
export const METHOD_DEFLATE = 8;

/**
 * One file as the zip holds it: deflated (or stored, when deflating does not
 * make it smaller), with what its headers and a manifest say about it.
 */
export interface StoredEntry {
  method: typeof METHOD_STORE | typeof METHOD_DEFLATE;
  /** Of the uncompressed bytes. */
  crc32: number;
  size: number;
  /** Hex SHA-256 of the uncompressed bytes. */
  sha256: string;
  payload: Buffer;
}

/**
 * Every botport archive's deflate level. An export is CPU-bound on its
 * worker, and Node's zlib at 4 takes 40% less CPU than at 6 on bot JSON for
 * archives 2–3% larger: about the size of Info-ZIP's `zip -6` over the same
 * files (1% larger for BotportJson, 14% smaller for LexJson; bench/results
 * shows both). Cached entries and copied archives carry the level in their
 * revisions.
 */
export const LEVEL = 4;
/** Below this a trip to another thread costs more than deflating here; the bytes are the same either way. */
const INLINE_BELOW = 4096;
/** Input gathered into one message: few enough messages, small enough to keep every thread busy. */
const BATCH_BYTES = 512 * 1024;
/** A thread's young generation: collections often enough that dead buffers do not pile up (60 MB less peak RSS over 200 MB deflated). */
const YOUNG_GENERATION_MB = 2;
/** Batches a thread holds at once: one being deflated, one waiting, so it never idles on a round trip to this thread. */
const BATCHES_PER_THREAD = 2;

/** Deflates a file the way every thread of the pool does: at LEVEL, raw, stored when that is not smaller. */
export function storeEntry(data: Buffer): StoredEntry {
  const deflated = data.length ? zlib.deflateRawSync(data, { level: LEVEL }) : data;
  const smaller = deflated.length < data.length;
  return {
    method: smaller ? METHOD_DEFLATE : METHOD_STORE,
    crc32: zlib.crc32(data),
    size: data.length,
    sha256: createHash('sha256').update(data).digest('hex'),
    payload: smaller ? deflated : data,
  };
}

/**
 * The thread's side, as source text (so it runs the same from the build and
 * from the sources under test): each message is files packed into one buffer;
 * the answer, their stored bytes packed likewise, both buffers moved, not copied.
 */
const THREAD_SOURCE = `
const { parentPort } = require('node:worker_threads');
const zlib = require('node:zlib');
const { createHash } = require('node:crypto');
// A scavenge after each batch: the thread allocates almost nothing on its heap, so nothing else would collect
// the batch's buffers (zlib's output among them) before tens of megabytes of them wait, per thread.
// (How jest's leak detector reaches gc without --expose-gc on the command line.)
require('node:v8').setFlagsFromString('--expose-gc');
const collect = require('node:vm').runInNewContext('gc');
parentPort.on('message', ({ id, input, sizes, level }) => {
  const data = Buffer.from(input);
  const results = [];
  const payloads = [];
  let at = 0;
  let total = 0;
  for (const size of sizes) {
    const file = data.subarray(at, (at += size));
    const deflated = size ? zlib.deflateRawSync(file, { level }) : file;
    const smaller = deflated.length < size;
    const payload = smaller ? deflated : file;
    results.push({ method: smaller ? 8 : 0, crc32: zlib.crc32(file), sha256: createHash('sha256').update(file).digest('hex'), length: payload.length });
    payloads.push(payload);
    total += payload.length;
  }
  const output = new ArrayBuffer(total);
  const view = Buffer.from(output);
  let out = 0;
  for (const p of payloads) out += p.copy(view, out);
  parentPort.postMessage({ id, output, results }, [output]);
  collect({ type: 'minor' });
});
`;

/** What a thread answers for one file; the payload is its slice of the answer's buffer. */
interface ThreadResult {
  method: StoredEntry['method'];
  crc32: number;
  sha256: string;
  length: number;
}

interface Job {
  /** Until the file is copied into its batch (then let go, so it dies young); its size stays. */
  data?: Buffer;
  size: number;
  resolve(entry: StoredEntry): void;
  reject(err: Error): void;
}

interface Thread {
  worker: Worker;
  /** Input bytes sent and not answered yet: the next batch goes to the least loaded thread. */
  pendingBytes: number;
  batches: Map<number, Job[]>;
}

/**
 * Deflates in-memory files on worker threads, one per core, so an archive of
 * many small files uses every core without one zlib stream (and its 300 KB
 * of state, set up and torn down) per file, as zlib's async API would cost.
 * Files are batched into messages, a batch sent when it is full or a thread
 * has room for it (so while all are busy, batches grow instead of messages
 * multiplying); results come back in any order, each to its own promise.
 * Threads start on first use and never keep the process alive.
 */
export class DeflatePool {
  private readonly threads: Thread[] = [];
  private queued: Job[] = [];
  private queuedBytes = 0;
  private flushScheduled = false;
  private nextId = 1;

  constructor(private readonly size = Math.max(1, Math.min(4, os.availableParallelism()))) {}

  deflate(data: Buffer): Promise<StoredEntry> {
    if (data.length < INLINE_BELOW) return Promise.resolve(storeEntry(data));
    return new Promise((resolve, reject) => {
      this.queued.push({ data, size: data.length, resolve, reject });
      this.queuedBytes += data.length;
      if (this.queuedBytes >= BATCH_BYTES) this.flush();
      else if (!this.flushScheduled) {
        // What arrives in the same turn travels together; while every thread is full, more gathers until one answers.
        this.flushScheduled = true;
        setImmediate(() => {
          this.flushScheduled = false;
          if (this.hasRoom()) this.flush();
        });
      }
    });
  }

  /** Whether a thread could take a batch now (or one could be started). */
  private hasRoom(): boolean {
    return this.threads.length < this.size || this.threads.some((t) => t.batches.size < BATCHES_PER_THREAD);
  }

  private flush(): void {
    if (!this.queued.length) return;
    const jobs = this.queued;
    this.queued = [];
    this.queuedBytes = 0;
    const thread = this.leastLoaded();
    const input = new ArrayBuffer(jobs.reduce((n, j) => n + j.size, 0));
    const view = Buffer.from(input);
    let at = 0;
    for (const j of jobs) {
      at += j.data!.copy(view, at);
      j.data = undefined;
    }
    const id = this.nextId++;
    thread.batches.set(id, jobs);
    thread.pendingBytes += at;
    thread.worker.ref(); // while it holds work
    thread.worker.postMessage({ id, input, sizes: jobs.map((j) => j.size), level: LEVEL }, [input]);
  }

  private leastLoaded(): Thread {
    if (this.threads.length < this.size) {
      const started = this.start();
      this.threads.push(started);
      return started;
    }
    return this.threads.reduce((a, b) => (b.pendingBytes < a.pendingBytes ? b : a));
  }

  private start(): Thread {
    // A small young generation: the thread allocates little on its heap, so without it the 16 KB output buffers
    // zlib makes per file (and each batch's input) waited for a collection by the hundred megabytes.
    const worker = new Worker(THREAD_SOURCE, { eval: true, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
    const thread: Thread = { worker, pendingBytes: 0, batches: new Map() };
    worker.on('message', ({ id, output, results }: { id: number; output: ArrayBuffer; results: ThreadResult[] }) => {
      const jobs = thread.batches.get(id);
      if (!jobs) return;
      thread.batches.delete(id);
      const bytes = Buffer.from(output);
      let at = 0;
      results.forEach((r, i) => {
        thread.pendingBytes -= jobs[i].size;
        jobs[i].resolve({ method: r.method, crc32: r.crc32, sha256: r.sha256, size: jobs[i].size, payload: bytes.subarray(at, (at += r.length)) });
      });
      if (this.queued.length) this.flush(); // what gathered while every thread was full
      if (!thread.batches.size) worker.unref(); // an idle thread never keeps the process alive
    });
    const fail = (err: Error) => {
      // A thread that died fails what it held; the next batch starts a new one.
      const index = this.threads.indexOf(thread);
      if (index >= 0) this.threads.splice(index, 1);
      for (const jobs of thread.batches.values()) for (const j of jobs) j.reject(err);
      thread.batches.clear();
      if (this.queued.length) this.flush(); // on a new thread: nothing else would send it
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`a deflate thread exited (${code})`)));
    worker.unref();
    return thread;
  }
}

let shared: DeflatePool | undefined;

/** The process's pool. */
export function deflatePool(): DeflatePool {
  return (shared ??= new DeflatePool());
}

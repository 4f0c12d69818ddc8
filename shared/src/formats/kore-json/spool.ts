import { type FileHandle, mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const WRITE_BUFFER = 1024 * 1024;
/** Reads come in blocks of this size: small parts read in their array's order mostly lie near each other. */
const READ_BLOCK = 1024 * 1024;
const OUTPUT_CHUNK = 256 * 1024;

export interface Spooled {
  offset: number;
  length: number;
}

/**
 * A temporary file for JSON texts that arrive in one order and are written
 * in another: Kore's botDefinition.json lists dialogs, nodes and sentences in
 * their own order, while a snapshot streams components by kind and name. The
 * texts wait on disk, not in memory; only their offsets are held.
 */
export class Spool {
  private size = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private block: { offset: number; data: Buffer } = { offset: 0, data: Buffer.alloc(0) };

  private constructor(
    private readonly dir: string,
    private readonly handle: FileHandle,
  ) {}

  static async open(): Promise<Spool> {
    const dir = await mkdtemp(join(tmpdir(), 'botport-spool-'));
    return new Spool(dir, await open(join(dir, 'parts'), 'w+'));
  }

  async put(text: string): Promise<Spooled> {
    const data = Buffer.from(text, 'utf8');
    const at = { offset: this.size, length: data.length };
    this.pending.push(data);
    this.pendingBytes += data.length;
    this.size += data.length;
    if (this.pendingBytes >= WRITE_BUFFER) await this.flush();
    return at;
  }

  private async flush(): Promise<void> {
    if (!this.pendingBytes) return;
    const data = Buffer.concat(this.pending);
    await this.handle.write(data, 0, data.length, this.size - data.length);
    this.pending = [];
    this.pendingBytes = 0;
  }

  async read(part: Spooled): Promise<Buffer> {
    const { offset, data } = this.block;
    if (part.offset >= offset && part.offset + part.length <= offset + data.length)
      return data.subarray(part.offset - offset, part.offset - offset + part.length);
    await this.flush();
    const length = Math.max(part.length, Math.min(READ_BLOCK, this.size - part.offset));
    const block = Buffer.allocUnsafe(length);
    const { bytesRead } = await this.handle.read(block, 0, length, part.offset);
    if (bytesRead < part.length) throw new Error('the spool file was cut short');
    this.block = { offset: part.offset, data: block.subarray(0, bytesRead) };
    return block.subarray(0, part.length);
  }

  async close(): Promise<void> {
    await this.handle.close().catch(() => undefined);
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** Gathers small pieces of output into chunks of a useful size for the zip writer. */
export class Chunks {
  private parts: Buffer[] = [];
  private bytes = 0;

  add(piece: string | Buffer): void {
    const data = typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece;
    this.parts.push(data);
    this.bytes += data.length;
  }

  /** The gathered bytes once they make a chunk. */
  full(): Buffer | undefined {
    return this.bytes >= OUTPUT_CHUNK ? this.take() : undefined;
  }

  take(): Buffer | undefined {
    if (!this.bytes) return undefined;
    const out = Buffer.concat(this.parts);
    this.parts = [];
    this.bytes = 0;
    return out;
  }
}

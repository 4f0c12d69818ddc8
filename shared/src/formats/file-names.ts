import { createHash } from 'node:crypto';

const UNSAFE = /[^A-Za-z0-9._-]/g;
const RESERVED = /^(con|prn|aux|nul|com\d|lpt\d)(\.|$)/i;
const MAX_LENGTH = 100;

/**
 * Hands out file names that are safe on any file system and unique within one
 * folder even where case is ignored. A name that had to change, or that
 * collides, gets a short hash of the original, so the result is deterministic.
 */
export class FileNames {
  private readonly taken = new Set<string>();

  take(folder: string, name: string, extension: string): string {
    let safe = name.replace(UNSAFE, '_').slice(0, MAX_LENGTH);
    if (safe !== name || RESERVED.test(safe) || /^\.+$/.test(safe) || !safe) safe = `${safe}-${hash(name)}`;
    let path = `${folder}/${safe}${extension}`;
    if (this.taken.has(path.toLowerCase())) path = `${folder}/${safe}-${hash(`${folder}/${name}`)}${extension}`;
    for (let n = 2; this.taken.has(path.toLowerCase()); n++) path = `${folder}/${safe}-${hash(name)}-${n}${extension}`;
    this.taken.add(path.toLowerCase());
    return path;
  }
}

function hash(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 8);
}

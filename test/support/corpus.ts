import fs from 'node:fs';
import path from 'node:path';
import yauzl from 'yauzl';
import { filesUnder, zipOf } from './archives';

/**
 * The real exports of other platforms in ../shared/corpus (read only; never
 * copied into the repository), walked so that a file added there is tested
 * without code changes: what is an export becomes an archive as its
 * platform would upload it; everything else is named with the reason it is
 * no export.
 */
const CORPUS = path.resolve(__dirname, '../../../shared/corpus');

export interface CorpusExport {
  /** Where it lies in the corpus. */
  name: string;
  /** The archive as the platform's own export would be uploaded. */
  archive: () => Buffer;
}

export interface NotAnExport {
  name: string;
  reason: string;
  data: () => Buffer;
}

/** Reads a zip held in memory, names as written but with `\` read as `/` (EDDI 6 on Windows), directories left out. */
export function unzipAny(data: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(data, { lazyEntries: true, decodeStrings: false }, (err, zip) => {
      if (err || !zip) return reject(err);
      const out = new Map<string, Buffer>();
      zip.on('entry', (entry: yauzl.Entry) => {
        const name = (entry.fileName as unknown as Buffer).toString('utf8').replaceAll('\\', '/');
        if (name.endsWith('/')) return zip.readEntry();
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            out.set(name, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(out));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

const EDDI_BOT_FILE = /^[0-9a-f]{24}\.(bot|agent)\.json$/;

/**
 * EDDI's corpus: every .zip is an export; so is an unpacked export tree (a
 * `{id}.bot.json` or `.agent.json` lying loose, with its descriptor and the
 * package folders it names), which is zipped as EDDI would have. The rest —
 * notes, lists of bundled archives, a deployment request template — is not.
 */
export function eddiCorpus(): { exports: CorpusExport[]; notExports: NotAnExport[] } {
  const root = path.join(CORPUS, 'eddi');
  const all = fs.existsSync(root) ? [...filesUnder(root).keys()].sort() : [];
  const used = new Set<string>();
  const found: CorpusExport[] = [];
  for (const file of all) {
    if (file.endsWith('.zip')) {
      used.add(file);
      found.push({ name: file, archive: () => fs.readFileSync(path.join(root, file)) });
    } else if (EDDI_BOT_FILE.test(path.posix.basename(file))) {
      const dir = path.posix.dirname(file);
      const id = path.posix.basename(file).split('.')[0];
      const bot = JSON.parse(fs.readFileSync(path.join(root, file), 'utf8')) as { packages?: string[]; workflows?: string[] };
      const folders = [...(bot.packages ?? []), ...(bot.workflows ?? [])].map((uri) => /\/([^/?]+)\?version=/.exec(uri)![1]);
      const files = new Map<string, Buffer>();
      for (const member of all.filter((f) => path.posix.dirname(f) === dir || folders.some((p) => f.startsWith(`${dir}/${p}/`)))) {
        const inTree = path.posix.relative(dir, member);
        if (inTree.endsWith('.zip') || (!inTree.includes('/') && !inTree.startsWith(`${id}.`))) continue;
        used.add(member);
        files.set(inTree, fs.readFileSync(path.join(root, member)));
      }
      found.push({ name: `${file} (an unpacked export, zipped as EDDI writes it)`, archive: () => zipOf(files) });
    }
  }
  const notExports = all
    .filter((f) => !used.has(f))
    .map((name) => ({
      name,
      data: () => fs.readFileSync(path.join(root, name)),
      reason: name.endsWith('.md')
        ? "the corpus's own notes"
        : name.endsWith('.txt')
          ? "EDDI's list of the archives it bundles"
          : 'a JSON document that is no EDDI resource: no {id}.bot.json or {id}.agent.json beside it (EDDI keeps it as a deployment request template)',
    }));
  return { exports: found, notExports };
}

/** The files Kore.ai's bot export writes: botDefinition.json, config.json, the icon, Data Table definitions. */
export const KORE_EXPORT_FILE = /^(botDefinition\.json|config\.json|icon\.(png|jpe?g)|tableDefinition_.+\.json)$/;

/**
 * Kore's corpus: each folder with a botDefinition.json is one export, zipped
 * as Kore's export downloads it; the other files beside it (the licence the
 * corpus keeps with the data, a batch-test report) are not part of it.
 */
export function koreCorpus(): { exports: (CorpusExport & { files: () => Map<string, Buffer> })[]; notExports: NotAnExport[] } {
  const root = path.join(CORPUS, 'kore');
  const all = fs.existsSync(root) ? [...filesUnder(root).keys()].sort() : [];
  const folders = all.filter((f) => path.posix.basename(f) === 'botDefinition.json').map((f) => path.posix.dirname(f));
  const found = folders.map((dir) => {
    const files = () => new Map([...filesUnder(path.join(root, dir))].filter(([name]) => KORE_EXPORT_FILE.test(name)));
    return { name: dir, files, archive: () => zipOf(files()) };
  });
  const notExports = all
    .filter((f) => !folders.includes(path.posix.dirname(f)) || !KORE_EXPORT_FILE.test(path.posix.basename(f)))
    .map((name) => ({
      name,
      data: () => fs.readFileSync(path.join(root, name)),
      reason: /LICENSE$/.test(name)
        ? 'the licence kept beside the data'
        : name.endsWith('.csv')
          ? 'a batch-test report, which Kore exports apart from the bot'
          : name.endsWith('.md')
            ? "the corpus's own notes"
            : "not one of the files Kore's bot export writes",
    }));
  return { exports: found, notExports };
}

/** Ids an importing platform assigns: EDDI's 24 hex digits, Kore's `dg-…`/`st-…` and bare UUIDs. */
const ID = /[0-9a-f]{24}|(?:[a-z]{1,5}-)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/** A one-to-one mapping of ids, fixed by the first pair seen. */
export class IdMapping {
  private readonly forward = new Map<string, string>();
  private readonly backward = new Map<string, string>();

  bind(a: string, b: string): boolean {
    const known = this.forward.get(a);
    if (known !== undefined) return known === b;
    if (this.backward.has(b)) return false;
    this.forward.set(a, b);
    this.backward.set(b, a);
    return true;
  }

  get(a: string): string | undefined {
    return this.forward.get(a);
  }

  /** Whether two strings are the same apart from ids, each mapped consistently. */
  sameText(a: string, b: string): boolean {
    if (a === b) {
      for (const id of a.match(ID) ?? []) if (!this.bind(id, id)) return false;
      return true;
    }
    const ia = a.match(ID) ?? [];
    const ib = b.match(ID) ?? [];
    if (ia.length !== ib.length || a.split(ID).join('\u0000') !== b.split(ID).join('\u0000')) return false;
    return ia.every((id, i) => this.bind(id, ib[i]));
  }

  /** The original's name in the re-export: its ids replaced by the ones they map to. */
  rename(name: string): string {
    return name.replace(ID, (id) => this.get(id) ?? id);
  }
}

/** Where two JSON values differ other than by ids (mapped consistently) and key order; none when they do not. */
export function differences(a: unknown, b: unknown, ids: IdMapping, at = '$'): string[] {
  if (typeof a === 'string' && typeof b === 'string') return ids.sameText(a, b) ? [] : [`${at}: ${JSON.stringify(a)} became ${JSON.stringify(b)}`];
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return [`${at}: ${a.length} items became ${b.length}`];
    return a.flatMap((v, i) => differences(v, b[i], ids, `${at}[${i}]`));
  }
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    if (ka.join('\u0000') !== kb.join('\u0000')) return [`${at}: keys ${ka.join(',')} became ${kb.join(',')}`];
    return ka.flatMap((k) => differences((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], ids, `${at}.${k}`));
  }
  return Object.is(a, b) ? [] : [`${at}: ${JSON.stringify(a)} became ${JSON.stringify(b)}`];
}

/**
 * The round-trip bar: the same file set, every JSON file deep-equal and
 * every other file byte-equal, except the ids the importing side assigns,
 * mapped consistently across all files. Returns what differs.
 */
export function roundTripDifferences(original: Map<string, Buffer>, again: Map<string, Buffer>): string[] {
  const ids = new IdMapping();
  const out: string[] = [];
  const unmatched = new Set(again.keys());
  for (const name of [...original.keys()].sort()) {
    // The file of that name, or the one whose name differs only by ids not bound yet.
    const match = again.has(ids.rename(name)) ? ids.rename(name) : [...unmatched].find((n) => new IdMapping().sameText(name, n));
    if (!match || !ids.sameText(name, match)) {
      out.push(`${name}: missing from the re-export`);
      continue;
    }
    unmatched.delete(match);
    const [a, b] = [original.get(name)!, again.get(match)!];
    if (name.endsWith('.json')) out.push(...differences(JSON.parse(a.toString('utf8')), JSON.parse(b.toString('utf8')), ids, name));
    else if (!a.equals(b)) out.push(`${name}: its bytes changed`);
  }
  out.push(...[...unmatched].map((n) => `${n}: not in the original`));
  return out;
}

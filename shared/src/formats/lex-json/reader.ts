import { mb } from '../../archive/byte-limit';
import type { OpenArchive } from '../../archive/zip-reader';
import { checkComponent, type Component } from '../../bots/definition';
import { LOCALE_PATTERN } from '../../bots/kinds';
import { type FieldError, ValidationError } from '../../errors';
import type { ArchiveReader, ImportedBot } from '../format';
import { parseJsonEntry, parseJsonObject } from '../json-entry';
import { EXTRA_FILES, type ExtraFiles, LEX_BOT_SETTINGS, MANIFESTS, ownerOf } from './layout';

/** The bot folder a locale-only archive is read into; a new bot made from it is named so. */
const LOCALE_ARCHIVE_BOT = 'LexBotLocale';

const MAX_REPORTED = 20;
type Json = Record<string, unknown>;

/** Real exports write `metaData`; the documentation shows `metadata`. Either is read. */
function recognises(manifest: unknown): boolean {
  const m = manifest as { metaData?: Json; metadata?: Json } | undefined;
  return (m?.metaData ?? m?.metadata)?.fileFormat === 'LexJson';
}

/**
 * Where the bot is: the one top folder with `Bot.json` (or with BotLocales).
 * Lex documents that a locale export holds "only the structure under the
 * locale"; such an archive (BotLocale.json at the root) is read as if it sat
 * at `{Bot}/BotLocales/{locale}/`.
 */
async function layoutOf(archive: OpenArchive): Promise<{ bot: string; pathOf: (entry: string) => string }> {
  const names = [...archive.entries.keys()];
  if (archive.entries.has('BotLocale.json')) {
    const locale = parseJsonObject(await archive.read('BotLocale.json'), 'BotLocale.json').identifier;
    if (typeof locale !== 'string' || !LOCALE_PATTERN.test(locale)) throw new ValidationError("BotLocale.json has no locale id in 'identifier'");
    return { bot: LOCALE_ARCHIVE_BOT, pathOf: (entry) => (MANIFESTS.includes(entry) ? entry : `${LOCALE_ARCHIVE_BOT}/BotLocales/${locale}/${entry}`) };
  }
  const withBotJson = names.filter((n) => /^[^/]+\/Bot\.json$/.test(n)).map((n) => n.split('/')[0]);
  const candidates = withBotJson.length ? withBotJson : [...new Set(names.filter((n) => /^[^/]+\/BotLocales\//.test(n)).map((n) => n.split('/')[0]))];
  if (candidates.length !== 1) {
    throw new ValidationError(`a LexJson archive holds exactly one bot folder with Bot.json; found ${candidates.length ? candidates.join(', ') : 'none'}`);
  }
  return { bot: candidates[0], pathOf: (entry) => entry };
}

/** Files botport keeps as they are, per component; a bot's folder holds definitions, not payloads. */
const MAX_KEPT_BYTES = 1024 * 1024;

/**
 * The files one component keeps as they are (JSON as its value, anything
 * else as base64), bounded: more than MAX_KEPT_BYTES of them is no Lex
 * export, and would sit in one component body, so the archive is refused.
 */
class KeptFiles {
  readonly files: ExtraFiles = {};
  private bytes = 0;

  constructor(private readonly owner: string) {}

  add(file: string, data: Buffer, path: string): void {
    this.bytes += data.length;
    if (this.bytes > MAX_KEPT_BYTES) {
      throw new ValidationError(
        `${this.owner} holds more than 1 MB of files that are not Lex definitions (at '${path}'); botport keeps at most 1 MB of them per component`,
      );
    }
    this.files[file] = path.endsWith('.json') ? { json: parseJsonEntry(data, path) } : { base64: data.toString('base64') };
  }

  get empty(): boolean {
    return !this.bytes && !Object.keys(this.files).length;
  }
}

/** An intent or slot type folder, read whole: its own file, its slots, and files kept as they are. */
interface Folder {
  kind: 'intent' | 'slotType';
  locale: string;
  name: string;
  files: Map<string, Buffer>;
  paths: Map<string, string>;
  /** What the folder holds so far: it is assembled whole, within the import's memory budget. */
  bytes: number;
}

function folderComponent(f: Folder): Component {
  const own = f.kind === 'intent' ? 'Intent.json' : 'SlotType.json';
  const prefix = `${f.kind === 'intent' ? 'Intents' : 'SlotTypes'}/${f.name}`;
  const data = f.files.get(own);
  if (!data) throw new ValidationError(`folder '${prefix}' (${f.locale}) has no ${own}`);
  const body: Json = { ...parseJsonObject(data, f.paths.get(own)!) };
  const kept = new KeptFiles(`folder '${prefix}' (${f.locale})`);
  const slots: Json[] = [];
  for (const [file, content] of [...f.files].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (file === own) continue;
    if (f.kind === 'intent' && /^Slots\/[^/]+\/Slot\.json$/.test(file)) slots.push(parseJsonObject(content, f.paths.get(file)!));
    else kept.add(file, content, f.paths.get(file)!);
  }
  if (f.kind === 'intent') body.slots = slots;
  if (!kept.empty) body[EXTRA_FILES] = kept.files;
  return { kind: f.kind, locale: f.locale, name: typeof body.name === 'string' ? body.name : f.name, body };
}

/**
 * Reads Amazon Lex V2 exports (whole bot or one locale, minified or pretty).
 * Every Lex field is kept in the component body, nulls included, and every
 * file it does not interpret is kept too, so a re-export reproduces them.
 * Entries are read in name order, so each intent's files (its slots among
 * them) arrive together and only one intent is held at a time.
 */
export const lexJsonReader: ArchiveReader = {
  name: 'LexJson',
  marks: MANIFESTS.join(' or '),
  async recognise(archive) {
    for (const name of MANIFESTS.filter((n) => archive.entries.has(n))) {
      const manifest = parseJsonEntry(await archive.read(name), name);
      if (recognises(manifest)) return { manifest };
    }
    return undefined;
  },
  async read(archive: OpenArchive): Promise<ImportedBot> {
    const { bot, pathOf } = await layoutOf(archive);
    const botJsonPath = `${bot}/Bot.json`;
    const botJson = archive.entries.has(botJsonPath) ? parseJsonObject(await archive.read(botJsonPath), botJsonPath) : {};
    const name = typeof botJson.name === 'string' && botJson.name ? botJson.name : bot;
    const description = typeof botJson.description === 'string' ? botJson.description : '';

    async function* components(): AsyncGenerator<Component> {
      const errors: FieldError[] = [];
      const check = (c: Component, where: string): Component | undefined => {
        const { component, errors: own } = checkComponent(c, []);
        errors.push(...own.map((e) => ({ path: `${where} ${e.path}`, message: e.message })));
        return component;
      };
      const botExtras = new KeptFiles(`the bot folder '${bot}'`);
      const locales = new Map<string, { body?: Json; extras: KeptFiles }>();
      const localeOf = (id: string) => locales.get(id) ?? locales.set(id, { extras: new KeptFiles(`locale ${id}`) }).get(id)!;
      let open: Folder | undefined;
      const close = () => {
        const c = open && check(folderComponent(open), `${bot}/BotLocales/${open.locale}/${open.kind === 'intent' ? 'Intents' : 'SlotTypes'}/${open.name}`);
        open = undefined;
        return c;
      };

      const names = [...archive.entries.keys()].filter((n) => !MANIFESTS.includes(n) && n !== botJsonPath);
      // In name order by where each file sits, so a folder's files come together.
      names.sort((a, b) => (pathOf(a) < pathOf(b) ? -1 : 1));
      for await (const { name: path, data } of archive.readInOrder(names)) {
        const owner = ownerOf(pathOf(path), bot);
        if (owner.kind === 'intent' || owner.kind === 'slotType') {
          if (!open || open.kind !== owner.kind || open.locale !== owner.locale || open.name !== owner.name) {
            const done = close();
            if (done) yield done;
            open = { kind: owner.kind, locale: owner.locale, name: owner.name, files: new Map(), paths: new Map(), bytes: 0 };
          }
          open.bytes += data.length;
          if (open.bytes > archive.budgetBytes) {
            throw new ValidationError(
              `folder '${path.slice(0, path.length - owner.file.length - 1)}' holds more than ${mb(archive.budgetBytes)}, the most an import holds at once`,
            );
          }
          open.files.set(owner.file, data);
          open.paths.set(owner.file, path);
        } else if (owner.kind === 'locale') {
          if (owner.file === 'BotLocale.json') localeOf(owner.locale).body = parseJsonObject(data, path);
          else localeOf(owner.locale).extras.add(owner.file, data, path);
        } else if (owner.kind === 'bot') {
          botExtras.add(owner.file, data, path);
        }
        if (errors.length >= MAX_REPORTED) break;
      }
      const last = close();
      if (last) yield last;

      for (const [locale, { body, extras }] of locales) {
        if (!body) {
          errors.push({ path: `${bot}/BotLocales/${locale}`, message: 'has no BotLocale.json' });
          continue;
        }
        const c = check(
          { kind: 'locale', locale, name: locale, body: extras.empty ? body : { ...body, [EXTRA_FILES]: extras.files } },
          `${bot}/BotLocales/${locale}/BotLocale.json`,
        );
        if (c) yield c;
      }
      const { name: _n, description: _d, identifier: _i, version: _v, ...settings } = botJson;
      if (!botExtras.empty) settings[EXTRA_FILES] = botExtras.files;
      yield { kind: 'botSettings', name: LEX_BOT_SETTINGS, body: settings };
      if (errors.length) throw new ValidationError('the archive holds files that are not valid components', errors.slice(0, MAX_REPORTED));
    }
    return { format: 'LexJson', bot: { name, description }, components: components(), notes: [] };
  },
};

import type { OpenArchive } from '../../archive/zip-reader';
import { checkComponent, type Component, type ComponentRef, MAX_NAME_LENGTH } from '../../bots/definition';
import { isLocaleScoped } from '../../bots/kinds';
import { type FieldError, ValidationError } from '../../errors';
import { clearSecrets } from '../clear-secrets';
import type { ArchiveReader, ImportedBot, Json } from '../format';
import { parseJsonEntry, parseJsonObject } from '../json-entry';
import {
  BOT_TYPES,
  bodyOf,
  describeResource,
  descriptorPath,
  EDDI_BOT,
  EDDI_LOCALE,
  EXTRA_FILES,
  type ExtraFiles,
  identityOf,
  IMPORTED_AS,
  KIND_OF_TYPE,
  LOCALE_MARK,
  parseResourceFile,
  parseUri,
  type ResourceMeta,
  type ResourceName,
  urisIn,
} from './layout';

const MAX_REPORTED = 20;
const MAX_DESCRIPTION = 2000;
/** The bot's own file at the archive root: `{botId}.bot.json` (EDDI 4 and 5) or `{agentId}.agent.json` (EDDI 6). */
const BOT_FILE = /^[^/]+\.(bot|agent)\.json$/;

/** One resource of the archive, as the first pass (descriptors only) finds it. */
interface Resource extends ResourceName {
  file: string;
  descriptor: Json | null;
  identity: string;
  ref: ComponentRef;
}

const isBot = (r: ResourceName) => !r.folder && BOT_TYPES.has(r.type);

/**
 * A component name for each resource: its descriptor's name and what it is
 * (`Weather Example (package 5e5e…3e)`), or what it is alone when the
 * descriptor names nothing; the folder is added when one id appears in two.
 */
function nameResources(found: Omit<Resource, 'ref'>[]): Resource[] {
  const taken = new Set<string>();
  return found.map((r) => {
    const kind = KIND_OF_TYPE[r.type] ?? 'botSettings';
    const described = typeof r.descriptor?.name === 'string' ? r.descriptor.name.trim() : '';
    const what = `${r.type} ${r.id}`;
    let name = isBot(r) ? EDDI_BOT : described ? `${described.slice(0, MAX_NAME_LENGTH - what.length - 3)} (${what})` : what;
    if (taken.has(`${kind}\u0000${name}`)) name = `${name} @ ${r.folder}`.slice(0, MAX_NAME_LENGTH);
    taken.add(`${kind}\u0000${name}`);
    return { ...r, ref: isLocaleScoped(kind) ? { kind, name, locale: EDDI_LOCALE } : { kind, name } };
  });
}

/** Reads every descriptor, then knows every resource: its file, its identity (`id@version`) and its component's name. */
async function survey(archive: OpenArchive): Promise<{ resources: Resource[]; extras: string[] }> {
  const names = [...archive.entries.keys()].sort();
  const candidates = names.map((file) => ({ file, parsed: parseResourceFile(file) }));
  const resources = candidates.filter((c) => c.parsed && c.parsed.type !== 'descriptor');
  const descriptorFiles = new Set(resources.map((r) => descriptorPath(r.parsed!)).filter((d) => archive.entries.has(d)));
  const descriptors = new Map<string, Json>();
  for await (const { name, data } of archive.readInOrder([...descriptorFiles])) descriptors.set(name, parseJsonObject(data, name));
  const found = resources.map(({ file, parsed }) => {
    const descriptor = descriptors.get(descriptorPath(parsed!)) ?? null;
    return { ...parsed!, file, descriptor, identity: identityOf(parsed!, descriptor) };
  });
  const extras = names.filter((n) => !descriptorFiles.has(n) && !found.some((r) => r.file === n));
  return { resources: nameResources(found), extras };
}

/**
 * The components a resource refers to by `eddi://…?version=N`: the one in its
 * own folder when the same resource sits in two packages, else the first.
 * A URI whose resource is not in the archive has no component to refer to.
 */
function refsOf(content: unknown, own: Resource, byIdentity: Map<string, Resource[]>): ComponentRef[] {
  const refs = new Map<string, ComponentRef>();
  for (const uri of urisIn(content)) {
    const { id, version } = parseUri(uri)!;
    const candidates = byIdentity.get(`${id}@${version}`) ?? [];
    const target = candidates.find((c) => c.folder === own.folder) ?? candidates[0];
    if (target && target !== own) refs.set(`${target.ref.kind}\u0000${target.ref.name}`, target.ref);
  }
  return [...refs.values()];
}

function extraFile(data: Buffer, name: string): ExtraFiles[string] {
  return name.endsWith('.json') ? { json: parseJsonEntry(data, name) } : { base64: data.toString('base64') };
}

/**
 * Reads EDDI's own backup zips, EDDI 4 to EDDI 6 (see layout.ts): every
 * resource file becomes a component whose body is the file's JSON as EDDI
 * wrote it, whatever its schema generation; `eddi://` references become the
 * component's refs. Secrets EDDI 5 exported in clear text are kept as they
 * are and named in the import's notes.
 */
export const eddiZipReader: ArchiveReader = {
  name: 'EddiZip',
  marks: '{botId}.bot.json or {agentId}.agent.json',
  async recognise(archive) {
    const bots = [...archive.entries.keys()].filter((n) => BOT_FILE.test(n));
    if (bots.length > 1) throw new ValidationError(`an EDDI backup holds one bot; this archive holds ${bots.length}: ${bots.join(', ')}`);
    return bots.length ? { manifest: bots[0] } : undefined;
  },
  async read(archive): Promise<ImportedBot> {
    const { resources, extras } = await survey(archive);
    const bot = resources.find(isBot)!;
    const described = (key: string) => (typeof bot.descriptor?.[key] === 'string' ? (bot.descriptor[key] as string).trim() : '');
    const name = (described('name') || `EDDI ${bot.type} ${bot.id}`).slice(0, MAX_NAME_LENGTH);
    const description = described('description').slice(0, MAX_DESCRIPTION);
    const byIdentity = new Map<string, Resource[]>();
    for (const r of resources) byIdentity.set(r.identity, [...(byIdentity.get(r.identity) ?? []), r]);
    const notes: string[] = [];

    async function* components(): AsyncGenerator<Component> {
      const errors: FieldError[] = [];
      const check = (c: Component, where: string) => {
        const { component, errors: own } = checkComponent(c, []);
        errors.push(...own.map((e) => ({ path: `${where} ${e.path}`, message: e.message })));
        return component;
      };
      if (resources.some((r) => r.ref.locale)) {
        yield { kind: 'locale', locale: EDDI_LOCALE, name: EDDI_LOCALE, body: { [LOCALE_MARK]: 'EDDI resources have no language' } };
      }
      const byFile = new Map(resources.map((r) => [r.file, r]));
      let botComponent: Component | undefined;
      for await (const { name: file, data } of archive.readInOrder(resources.map((r) => r.file).sort())) {
        const r = byFile.get(file)!;
        const content = parseJsonEntry(data, file);
        const meta: ResourceMeta = { file, descriptor: r.descriptor };
        for (const path of clearSecrets(content)) {
          notes.push(
            `${describeResource(meta)} keeps what looks like a secret in clear text at ${path}; EDDI's export did not scrub it and botport imported it as it is: rotate it if it is real`,
          );
        }
        const refs = refsOf(content, r, byIdentity);
        const component: Component = { ...r.ref, body: bodyOf(content, meta), ...(refs.length ? { refs } : {}) };
        if (r === bot)
          botComponent = component; // completed below, with the files that are no resource
        else {
          const checked = check(component, file);
          if (checked) yield checked;
        }
        if (errors.length >= MAX_REPORTED) break;
      }
      const files: ExtraFiles = {};
      for await (const { name: file, data } of archive.readInOrder(extras)) files[file] = extraFile(data, file);
      if (botComponent) {
        Object.assign(botComponent.body, Object.keys(files).length ? { [EXTRA_FILES]: files } : {}, { [IMPORTED_AS]: { name, description } });
        const checked = check(botComponent, bot.file);
        if (checked) yield checked;
      }
      if (errors.length) throw new ValidationError('the EDDI backup holds files botport cannot take as components', errors.slice(0, MAX_REPORTED));
    }
    return { format: 'EddiZip', bot: { name, description }, components: components(), notes };
  },
};

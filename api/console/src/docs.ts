import { byId, el } from './dom.js';

/** The API docs page: /openapi.json rendered as one list of operations per surface. */
interface Operation {
  tags: string[];
  summary: string;
  security: Record<string, string[]>[];
  parameters: { name: string; in: string; required: boolean; schema: unknown }[];
  requestBody?: { content: Record<string, { schema: unknown }> };
}
interface Document {
  info: { title: string; version: string; description: string };
  tags: { name: string }[];
  paths: Record<string, Record<string, Operation>>;
}

const SURFACES: Record<string, string> = {
  operations: 'Operations',
  admin: 'Admin (scope admin)',
  native: 'botport /v1',
  lex: 'Amazon Lex V2',
  kore: 'Kore.ai',
  eddi: 'EDDI',
  xenioo: 'Xenioo',
};

function auth(op: Operation): string {
  const schemes = op.security.flatMap((s) => Object.keys(s));
  return schemes.length ? `auth: ${[...new Set(schemes)].join(' or ')}` : 'no auth';
}

function operation(method: string, path: string, op: Operation): HTMLElement {
  const body = op.requestBody && Object.entries(op.requestBody.content)[0];
  return el(
    'details',
    { class: 'op' },
    el('summary', {}, el('span', { class: 'method' }, method), el('code', {}, path), el('span', {}, op.summary), el('span', { class: 'help' }, auth(op))),
    op.parameters.length
      ? el('ul', {}, ...op.parameters.map((p) => el('li', {}, el('code', {}, p.name), ` in ${p.in}${p.required ? ', required' : ''}`)))
      : null,
    body ? el('div', {}, el('p', {}, 'Request body ', el('code', {}, body[0])), el('pre', {}, JSON.stringify(body[1].schema, null, 2))) : null,
  );
}

async function render(): Promise<void> {
  const doc = (await (await fetch('/openapi.json')).json()) as Document;
  document.title = `${doc.info.title} API ${doc.info.version}`;
  byId('intro').textContent = `${doc.info.description} Version ${doc.info.version}.`;
  const sections = doc.tags.map(({ name }) => {
    const ops = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods)
        .filter(([, op]) => op.tags.includes(name))
        .map(([method, op]) => operation(method, path, op)),
    );
    return el('section', { 'aria-label': SURFACES[name] ?? name }, el('h2', {}, `${SURFACES[name] ?? name} (${ops.length})`), ...ops);
  });
  byId('docs').replaceChildren(...sections);
}

render().catch((err) => byId('docs').replaceChildren(el('p', { class: 'error' }, `The API description could not be loaded: ${err}`)));

import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { openApiDocument } from '../../api/src/openapi/document';

/**
 * The OpenAPI document as a contract the tests hold the app to: every
 * response a test receives through `call()` must be one the document lists
 * for that operation and status, with a body its schema accepts.
 */
interface Reply {
  content?: Record<string, { schema: object }>;
}
interface Route {
  method: string;
  pattern: RegExp;
  /** Fewer parameters = more specific (`…/versions/DRAFT` before `…/versions/{version}`). */
  params: number;
  template: string;
  responses: Record<string, Reply>;
}

const doc = openApiDocument() as unknown as { paths: Record<string, Record<string, { responses: Record<string, Reply> }>>; components: object };
const ROUTES: Route[] = Object.entries(doc.paths)
  .flatMap(([template, methods]) =>
    Object.entries(methods).map(([method, o]) => ({
      method: method.toUpperCase(),
      pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[^/]+')}$`),
      params: (template.match(/\{/g) ?? []).length,
      template,
      responses: o.responses,
    })),
  )
  .sort((a, b) => a.params - b.params);

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
const validators = new Map<object, ValidateFunction>();
const validatorOf = (schema: object) => validators.get(schema) ?? validators.set(schema, ajv.compile(schema)).get(schema)!;

/** Throws when the answer is not one the document promises; answers of routes it does not list are not judged. */
export function checkResponse(method: string, path: string, status: number, contentType: string | null, text: string): void {
  const pathname = new URL(path, 'http://botport.test').pathname;
  const route = ROUTES.find((r) => r.method === method.toUpperCase() && r.pattern.test(pathname));
  if (!route) return;
  const where = `${route.method} ${route.template}`;
  const reply = route.responses[String(status)] ?? route.responses[`${Math.floor(status / 100)}XX`];
  if (!reply) throw new Error(`${where} answered ${status}, which the OpenAPI document does not list for it`);
  if (!reply.content || !text) return;
  const media = (contentType ?? '').split(';')[0].trim();
  const declared = reply.content[media];
  if (!declared) throw new Error(`${where} answered ${status} as ${media || 'no media type'}; the document says ${Object.keys(reply.content).join(', ')}`);
  if (!media.endsWith('json')) return;
  const validate = validatorOf(declared.schema);
  if (!validate(JSON.parse(text))) {
    throw new Error(
      `${where} answered ${status} with a body the document does not describe: ${ajv.errorsText(validate.errors, { separator: '; ' })}\n${text.slice(0, 500)}`,
    );
  }
}

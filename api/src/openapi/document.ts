import { documentSchema } from '@botport/shared';
import { z } from 'zod';
import * as admin from '../surfaces/admin/router';
import * as kore from '../surfaces/kore/router';
import * as lexBots from '../surfaces/lex/bots';
import * as lexExports from '../surfaces/lex/exports';
import * as lexImports from '../surfaces/lex/imports';
import * as nativeBots from '../surfaces/native/bots';
import * as nativeCredentials from '../surfaces/native/credentials';
import * as nativeExports from '../surfaces/native/exports';
import * as nativeImports from '../surfaces/native/imports';
import * as xenioo from '../surfaces/xenioo/router';

/**
 * The OpenAPI 3.1 document of every route the api serves, built from the
 * same zod schemas that validate the requests, so the two cannot drift
 * (a test also checks that every route of the app is listed here).
 */
type Auth = 'bearer' | 'lex' | 'kore' | 'bot' | 'metrics' | 'none';
type Body = z.ZodType | 'zip' | 'multipart';

interface Operation {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Express-style, as mounted (`:param`). */
  path: string;
  tag: 'operations' | 'admin' | 'native' | 'lex' | 'kore' | 'eddi' | 'xenioo';
  summary: string;
  success: number;
  auth?: Auth;
  body?: Body;
  query?: z.ZodType;
}

const op = (method: Operation['method'], path: string, tag: Operation['tag'], summary: string, success: number, extra: Partial<Operation> = {}): Operation => ({
  method,
  path,
  tag,
  summary,
  success,
  ...extra,
});

export const OPERATIONS: Operation[] = [
  op('get', '/', 'operations', 'The web console (a redirect to /console/)', 302, { auth: 'none' }),
  op('get', '/healthz', 'operations', 'Liveness', 200, { auth: 'none' }),
  op('get', '/readyz', 'operations', 'Readiness: PostgreSQL, Redis and S3 answer', 200, { auth: 'none' }),
  op('get', '/metrics', 'operations', 'Prometheus metrics: bearer METRICS_TOKEN or an operator token', 200, { auth: 'metrics' }),
  op('get', '/openapi.json', 'operations', 'This document', 200, { auth: 'none' }),

  op('post', '/admin/session', 'admin', 'Open a queue-dashboard session: an HttpOnly cookie for /admin, at most an hour', 204),
  op('get', '/admin/queues', 'admin', 'Waiting, active, failed, delayed and completed jobs per queue', 200),
  op(
    'post',
    '/admin/jobs/:jobId/retry',
    'admin',
    "Run a Failed job again, or queue again an InProgress one whose queue entry is lost (the token's tenant)",
    202,
  ),
  op('post', '/admin/sweep', 'admin', 'Sweep expired jobs and unused uploads now, or count them (dryRun)', 202, { body: admin.sweepBody }),
  op('get', '/admin/board', 'admin', 'bull-board, the queue dashboard (a browser page; its own API lives under it)', 200),

  op('post', '/v1/bots', 'native', 'Create a bot', 201, { body: nativeBots.createBot }),
  op('get', '/v1/bots', 'native', 'List bots by name', 200, { query: nativeBots.listQuery }),
  op('get', '/v1/bots/:botId', 'native', 'Read a bot', 200),
  op('delete', '/v1/bots/:botId', 'native', 'Delete a bot with all its versions', 204),
  op('put', '/v1/bots/:botId/versions/DRAFT', 'native', 'Replace the DRAFT with a definition document', 200, { body: documentSchema }),
  op('put', '/v1/bots/:botId/versions/DRAFT/components/:kind/:name', 'native', 'Upsert one DRAFT component', 200, { body: nativeBots.componentBody }),
  op('delete', '/v1/bots/:botId/versions/DRAFT/components/:kind/:name', 'native', 'Remove one DRAFT component', 204),
  op('post', '/v1/bots/:botId/versions', 'native', 'Publish the DRAFT as the next version', 201),
  op('get', '/v1/bots/:botId/versions', 'native', 'List versions', 200),
  op('get', '/v1/bots/:botId/versions/:version/outline', 'native', "A version's locales, named tasks and component counts (no bodies)", 200),
  op('get', '/v1/bots/:botId/versions/:version', 'native', 'A version as a definition document (streamed)', 200),
  op('post', '/v1/credentials', 'native', "Create an API credential (admin): its secret is in this answer only, with each platform's names for the pair", 201, {
    body: nativeCredentials.createCredential,
  }),
  op('get', '/v1/credentials', 'native', "List the tenant's credentials (never their secrets)", 200, { query: nativeCredentials.listQuery }),
  op('get', '/v1/credentials/:credentialId', 'native', 'Read a credential', 200),
  op('post', '/v1/credentials/:credentialId/rotate', 'native', 'A new secret (shown once); the old one stops working within a second', 200),
  op('delete', '/v1/credentials/:credentialId', 'native', 'Revoke a credential: refused by every replica within a second', 200),
  op('post', '/v1/exports', 'native', 'Create an export (Idempotency-Key honoured)', 202, { body: nativeExports.createExport }),
  op('get', '/v1/exports', 'native', 'List exports', 200, { query: nativeExports.listQuery }),
  op('get', '/v1/exports/:exportId', 'native', 'Describe an export', 200),
  op('get', '/v1/exports/:exportId/events', 'native', 'Server-sent events: progress, completed, failed', 200),
  op('get', '/v1/exports/:exportId/deliveries', 'native', "The notifyUrl delivery attempts: when, the receiver's status or the error, the next retry", 200),
  op('patch', '/v1/exports/:exportId', 'native', 'Build a finished export again under a new password, or plain', 202, { body: nativeExports.updateExport }),
  op('delete', '/v1/exports/:exportId', 'native', 'Delete an export', 202),
  op('post', '/v1/imports', 'native', 'Import the zip in the body (target in the query; Idempotency-Key honoured)', 202, {
    body: 'zip',
    query: nativeImports.startQuery,
  }),
  op('get', '/v1/imports', 'native', 'List imports', 200, { query: nativeImports.listQuery }),
  op('get', '/v1/imports/:importId', 'native', 'Describe an import', 200),
  op('get', '/v1/imports/:importId/deliveries', 'native', "The notifyUrl delivery attempts: when, the receiver's status or the error, the next retry", 200),
  op('delete', '/v1/imports/:importId', 'native', 'Delete an import and its upload', 202),

  op('put', '/exports/', 'lex', 'CreateExport', 202, { body: lexExports.createExport }),
  op('get', '/exports/:exportId/', 'lex', 'DescribeExport', 200),
  op('post', '/exports/', 'lex', 'ListExports', 200, { body: lexExports.listExports }),
  op('put', '/exports/:exportId/', 'lex', 'UpdateExport', 202, { body: lexExports.updateExport }),
  op('delete', '/exports/:exportId/', 'lex', 'DeleteExport', 202),
  op('post', '/createuploadurl/', 'lex', 'CreateUploadUrl', 200),
  op('put', '/imports/', 'lex', 'StartImport', 202, { body: lexImports.startImport }),
  op('get', '/imports/:importId/', 'lex', 'DescribeImport', 200),
  op('post', '/imports/', 'lex', 'ListImports', 200, { body: lexImports.listImports }),
  op('delete', '/imports/:importId/', 'lex', 'DeleteImport', 202),
  op('post', '/bots/', 'lex', 'ListBots', 200, { body: lexBots.listBots }),
  op('get', '/bots/:botId/', 'lex', 'DescribeBot', 200),
  op('post', '/bots/:botId/botversions/', 'lex', 'ListBotVersions (the DRAFT included)', 200, { body: lexBots.listBotVersions }),
  op('post', '/bots/:botId/botversions/:botVersion/botlocales/', 'lex', 'ListBotLocales', 200, { body: lexBots.listBotLocales }),
  op('get', '/bots/:botId/botversions/:botVersion/botlocales/:localeId/', 'lex', 'DescribeBotLocale', 200),

  op('post', '/api/public/bot/:botId/export', 'kore', 'Bot export', 200, { auth: 'kore', body: kore.exportBody }),
  op('get', '/api/public/bot/:botId/export/status', 'kore', 'Bot export status', 200, { auth: 'kore' }),
  op('post', '/api/public/uploadfile', 'kore', 'Upload the export zip (multipart: file, fileContext, fileExtension)', 200, { auth: 'kore', body: 'multipart' }),
  op('post', '/api/public/bot/import', 'kore', 'Import as a new bot', 200, { auth: 'kore', body: kore.newBotImport }),
  op('post', '/api/public/bot/:botId/import', 'kore', 'Import into an existing bot', 200, { auth: 'kore', body: kore.existingBotImport }),
  op('get', '/api/public/bot/import/status/:birId', 'kore', 'Bot import status', 200, { auth: 'kore' }),

  op('post', '/backup/export/:botId', 'eddi', "Export; the archive's Location once ready (202 past the wait)", 200, {
    query: z.object({ botVersion: z.string() }),
  }),
  op('get', '/backup/export/:file', 'eddi', 'The archive: a redirect to a pre-signed URL', 302),
  op('post', '/backup/import', 'eddi', 'Import the zip in the body as a new bot; its Location', 200, { body: 'zip' }),
  op('get', '/backup/import/:importId', 'eddi', "Where an import stands; the bot's Location once done", 200),

  op('get', '/bots/backup', 'xenioo', "The bot's backup (one per hour)", 200, { auth: 'bot' }),
  op('post', '/authorization/integration', 'xenioo', 'Sign in with API keys (AccountAPIKey, or BotAPIKey and BotAPISecret): {token, expires} in minutes', 200, {
    auth: 'none',
    body: xenioo.authorizationBody,
  }),
  op('post', '/bots/restore', 'xenioo', 'Restore a backup as a new bot (one per hour): its new {APIKey, APISecret}', 200, {
    auth: 'bot',
    body: xenioo.restoreBody,
  }),
  op('post', '/bots/restore/overwrite', 'xenioo', "Replace the token's bot's DRAFT with a backup (one per hour)", 200, {
    auth: 'bot',
    body: xenioo.restoreBody,
  }),
];

const jsonSchema = (schema: z.ZodType) => z.toJSONSchema(schema, { target: 'draft-2020-12', unrepresentable: 'any', io: 'input' });

/** `/a/:b/c` → `/a/{b}/c`; the parameters named. */
function openApiPath(path: string): { path: string; params: string[] } {
  const params: string[] = [];
  return { path: path.replace(/:([A-Za-z]+)/g, (_m, name: string) => (params.push(name), `{${name}}`)), params };
}

function requestBody(body: Body) {
  if (body === 'zip') return { required: true, content: { 'application/zip': { schema: { type: 'string', contentMediaType: 'application/zip' } } } };
  if (body === 'multipart') {
    return {
      required: true,
      content: {
        'multipart/form-data': {
          schema: {
            type: 'object',
            properties: { file: { type: 'string', contentMediaType: 'application/zip' }, fileContext: { type: 'string' }, fileExtension: { type: 'string' } },
            required: ['file'],
          },
        },
      },
    };
  }
  return { required: true, content: { 'application/json': { schema: jsonSchema(body) } } };
}

function queryParameters(query: z.ZodType) {
  const schema = jsonSchema(query) as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(schema.properties ?? {}).map(([name, s]) => ({ name, in: 'query', required: schema.required?.includes(name) ?? false, schema: s }));
}

const SECURITY: Record<Auth, object[]> = {
  bearer: [{ bearer: [] }],
  lex: [{ sigv4: [] }, { bearer: [] }],
  kore: [{ koreAuth: [] }, { bearer: [] }],
  bot: [{ bearer: [] }],
  metrics: [{}, { bearer: [] }],
  none: [],
};

export function openApiDocument(version = '0.1.0') {
  const paths: Record<string, Record<string, object>> = {};
  for (const o of OPERATIONS) {
    const { path, params } = openApiPath(o.path);
    paths[path] ??= {};
    paths[path][o.method] = {
      tags: [o.tag],
      summary: o.summary,
      operationId: `${o.method}${path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      security: SECURITY[o.auth ?? (o.tag === 'lex' ? 'lex' : 'bearer')],
      parameters: [...params.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })), ...(o.query ? queryParameters(o.query) : [])],
      ...(o.body && { requestBody: requestBody(o.body) }),
      responses: {
        [String(o.success)]: { description: 'success' },
        default: { description: "an error in the surface's own shape (problem+json, x-amzn-ErrorType, Kore's errors[], EDDI's and Xenioo's {error|message})" },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'botport',
      version,
      description: 'Export, import and back up chatbot definitions: native /v1, Amazon Lex V2, Kore.ai, EDDI and Xenioo surfaces.',
    },
    tags: ['operations', 'admin', 'native', 'lex', 'kore', 'eddi', 'xenioo'].map((name) => ({ name })),
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        koreAuth: {
          type: 'apiKey',
          in: 'header',
          name: 'auth',
          description: "Kore.ai's JWT header: botport's JWT, or a Kore app JWT (appId = credential id, HS256 with its secret)",
        },
        sigv4: {
          type: 'apiKey',
          in: 'header',
          name: 'Authorization',
          description: 'AWS Signature Version 4 (service lex, any region): access key id = credential id, secret access key = its secret',
        },
      },
    },
    paths,
  };
}

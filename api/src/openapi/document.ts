import { definitionDocumentView, documentSchema } from '@botport/shared';
import { z } from 'zod';
import * as admin from '../surfaces/admin/router';
import * as eddi from '../surfaces/eddi/router';
import * as kore from '../surfaces/kore/router';
import { koreErrorBody } from '../surfaces/kore/errors';
import { LEX_ERROR_NAMES, lexErrorBody } from '../surfaces/lex/errors';
import * as lexBots from '../surfaces/lex/bots';
import * as lexExports from '../surfaces/lex/exports';
import * as lexImports from '../surfaces/lex/imports';
import * as nativeBots from '../surfaces/native/bots';
import * as nativeCredentials from '../surfaces/native/credentials';
import { deliveriesView } from '../surfaces/native/deliveries';
import * as nativeBackups from '../surfaces/native/backup-policies';
import * as nativeDiffs from '../surfaces/native/diffs';
import * as nativeUndo from '../surfaces/native/import-undo';
import * as nativeExports from '../surfaces/native/exports';
import * as nativeImports from '../surfaces/native/imports';
import { problemBody } from '../surfaces/native/problem';
import { healthView, readyView } from '../surfaces/operations';
import * as xenioo from '../surfaces/xenioo/router';

/**
 * The OpenAPI 3.1 document of every route the api serves, generated from the
 * same zod schemas that validate the requests and type the answers, so the
 * three cannot drift: a test checks it lists exactly the app's routes, and
 * every response a test receives is validated against it.
 */
type Tag = 'operations' | 'admin' | 'native' | 'lex' | 'kore' | 'eddi' | 'xenioo';
type Auth = 'bearer' | 'lex' | 'kore' | 'bot' | 'metrics' | 'none';
/** A body: a schema, or media that is not JSON. */
type Content = z.ZodType | 'zip' | 'multipart' | 'prometheus' | 'html' | 'events' | 'document';
type Header = 'Location' | 'Retry-After' | 'Idempotent-Replayed' | 'Set-Cookie';
type RequestHeader = 'Idempotency-Key' | 'Botport-File-Password';

interface Reply {
  description: string;
  body?: Content;
  headers?: Header[];
}

interface Operation {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Express-style, as mounted (`:param`). */
  path: string;
  tag: Tag;
  summary: string;
  responses: Record<number, Reply>;
  auth?: Auth;
  body?: Content;
  query?: z.ZodType;
  headers?: RequestHeader[];
}

const ok = (body: Content, headers: Header[] = []): Reply => ({ description: 'success', body, headers });
const none = (description: string, headers: Header[] = []): Reply => ({ description, headers });

const op = (
  method: Operation['method'],
  path: string,
  tag: Tag,
  summary: string,
  responses: Record<number, Reply>,
  extra: Partial<Operation> = {},
): Operation => ({
  method,
  path,
  tag,
  summary,
  responses,
  ...extra,
});

export const OPERATIONS: Operation[] = [
  op('get', '/', 'operations', 'The web console (a redirect to /console/)', { 302: none('to /console/', ['Location']) }, { auth: 'none' }),
  op('get', '/healthz', 'operations', 'Liveness', { 200: ok(healthView) }, { auth: 'none' }),
  op(
    'get',
    '/readyz',
    'operations',
    'Readiness: PostgreSQL, Redis and S3 answer',
    { 200: ok(readyView), 503: { description: 'a dependency does not answer', body: readyView } },
    { auth: 'none' },
  ),
  op('get', '/metrics', 'operations', 'Prometheus metrics: bearer METRICS_TOKEN or an operator token', { 200: ok('prometheus') }, { auth: 'metrics' }),
  op('get', '/openapi.json', 'operations', 'This document', { 200: ok('document') }, { auth: 'none' }),

  op(
    'post',
    '/admin/session',
    'admin',
    "Open a queue-dashboard session (operator): an HttpOnly cookie for /admin/board, at most an hour, the token's lifetime",
    {
      204: none('the session cookie is set', ['Set-Cookie']),
    },
  ),
  op('get', '/admin/queues', 'admin', "A tenant admin: its exports and imports by state; the operator: every queue's counts", { 200: ok(admin.queuesView) }),
  op('post', '/admin/jobs/:jobId/retry', 'admin', 'Run a Failed job again, or queue again an InProgress one whose queue entry is lost', {
    202: ok(admin.retryView),
  }),
  op(
    'post',
    '/admin/sweep',
    'admin',
    'Sweep expired jobs and unused uploads now, or count them (dryRun; operator)',
    { 200: ok(admin.sweepView), 202: ok(admin.sweepView) },
    {
      body: admin.sweepBody,
    },
  ),
  op('get', '/admin/board', 'admin', 'bull-board, the queue dashboard (operator; a browser page whose own API lives under it)', { 200: ok('html') }),

  op('post', '/v1/bots', 'native', 'Create a bot', { 201: ok(nativeBots.botView, ['Location']) }, { body: nativeBots.createBot }),
  op('get', '/v1/bots', 'native', 'List bots by name', { 200: ok(nativeBots.botList) }, { query: nativeBots.listQuery }),
  op('get', '/v1/bots/:botId', 'native', 'Read a bot', { 200: ok(nativeBots.botView) }),
  op('delete', '/v1/bots/:botId', 'native', 'Delete a bot with all its versions', { 204: none('deleted') }),
  op(
    'put',
    '/v1/bots/:botId/versions/DRAFT',
    'native',
    'Replace the DRAFT with a definition document',
    { 200: ok(nativeBots.draftReplaced) },
    { body: documentSchema },
  ),
  op(
    'put',
    '/v1/bots/:botId/versions/DRAFT/components/:kind/:name',
    'native',
    'Upsert one DRAFT component',
    { 200: ok(nativeBots.componentView), 201: ok(nativeBots.componentView) },
    { body: nativeBots.componentBody },
  ),
  op('delete', '/v1/bots/:botId/versions/DRAFT/components/:kind/:name', 'native', 'Remove one DRAFT component', { 204: none('removed') }),
  op(
    'post',
    '/v1/bots/:botId/versions',
    'native',
    'Publish the DRAFT as the next version',
    { 201: ok(nativeBots.versionView, ['Location']) },
    { body: nativeBots.publishBody },
  ),
  op('get', '/v1/bots/:botId/versions', 'native', 'List versions', { 200: ok(nativeBots.versionList) }),
  op('get', '/v1/bots/:botId/versions/:version/outline', 'native', "A version's locales, named tasks and component counts (no bodies)", {
    200: ok(nativeBots.outlineView),
  }),
  op('get', '/v1/bots/:botId/versions/:version', 'native', 'A version as a definition document (streamed)', { 200: ok(definitionDocumentView) }),
  op(
    'post',
    '/v1/credentials',
    'native',
    "Create an API credential (admin): its secret is in this answer only, with each platform's names for the pair",
    { 201: ok(nativeCredentials.issuedCredentialView, ['Location']) },
    { body: nativeCredentials.createCredential },
  ),
  op(
    'get',
    '/v1/credentials',
    'native',
    "List the tenant's credentials (never their secrets)",
    { 200: ok(nativeCredentials.credentialList) },
    { query: nativeCredentials.listQuery },
  ),
  op('get', '/v1/credentials/:credentialId', 'native', 'Read a credential', { 200: ok(nativeCredentials.credentialView) }),
  op('post', '/v1/credentials/:credentialId/rotate', 'native', 'A new secret (shown once); the old one stops working within a second', {
    200: ok(nativeCredentials.issuedCredentialView),
  }),
  op('delete', '/v1/credentials/:credentialId', 'native', 'Revoke a credential: refused by every replica within a second', {
    200: ok(nativeCredentials.credentialView),
  }),
  op(
    'post',
    '/v1/exports',
    'native',
    'Create an export (Idempotency-Key honoured)',
    { 202: ok(nativeExports.exportView, ['Location', 'Idempotent-Replayed']) },
    {
      body: nativeExports.createExport,
      headers: ['Idempotency-Key'],
    },
  ),
  op('get', '/v1/exports', 'native', 'List exports', { 200: ok(nativeExports.exportList) }, { query: nativeExports.listQuery }),
  op('get', '/v1/exports/:exportId', 'native', 'Describe an export', { 200: ok(nativeExports.exportView) }),
  op('get', '/v1/exports/:exportId/events', 'native', 'Server-sent events: progress, completed, failed', { 200: ok('events') }),
  op('get', '/v1/exports/:exportId/deliveries', 'native', "The notifyUrl delivery attempts: when, the receiver's status or the error, the next retry", {
    200: ok(deliveriesView),
  }),
  op(
    'patch',
    '/v1/exports/:exportId',
    'native',
    'Build a finished export again under a new password, or plain',
    { 202: ok(nativeExports.exportView) },
    {
      body: nativeExports.updateExport,
    },
  ),
  op('delete', '/v1/exports/:exportId', 'native', 'Delete an export', { 202: ok(nativeExports.exportView) }),
  op(
    'post',
    '/v1/imports',
    'native',
    'Import the zip in the body (target in the query; dryRun=true plans it; draftRevision guards it; Idempotency-Key honoured; the password in Botport-File-Password)',
    { 202: ok(nativeImports.importView, ['Location', 'Idempotent-Replayed']) },
    { body: 'zip', query: nativeImports.startQuery, headers: ['Idempotency-Key', 'Botport-File-Password'] },
  ),
  op('get', '/v1/imports', 'native', 'List imports', { 200: ok(nativeImports.importList) }, { query: nativeImports.listQuery }),
  op('get', '/v1/imports/:importId', 'native', 'Describe an import', { 200: ok(nativeImports.importView) }),
  op('get', '/v1/imports/:importId/deliveries', 'native', "The notifyUrl delivery attempts: when, the receiver's status or the error, the next retry", {
    200: ok(deliveriesView),
  }),
  op('delete', '/v1/imports/:importId', 'native', 'Delete an import and its upload', { 202: ok(nativeImports.importView) }),
  op('get', '/v1/imports/:importId/undo', 'native', 'Whether the import can be undone (it kept what it changed, and was not undone yet)', {
    200: ok(nativeUndo.undoStateResponse),
  }),
  op('post', '/v1/imports/:importId/undo', 'native', 'Undo an import: the DRAFT exactly as before it; 409 naming why when the DRAFT changed since', {
    200: ok(nativeUndo.undoResponse),
  }),
  op(
    'get',
    '/v1/bots/:botId/diff',
    'native',
    'Diff two sides (DRAFT, a version, export:ID, upload:ID, backup:ID): components added, removed, changed with JSON pointers',
    { 200: ok(nativeDiffs.diffResponse) },
    { query: nativeDiffs.diffQuery },
  ),
  op(
    'post',
    '/v1/bots/:botId/diff',
    'native',
    'Diff a side against the zip in the body (compared by content, whatever its format)',
    { 200: ok(nativeDiffs.diffResponse) },
    { body: 'zip', query: nativeDiffs.diffUploadQuery },
  ),
  op(
    'post',
    '/v1/backup-policies',
    'native',
    "Create a backup policy (the tenant's bucket is checked with a test write)",
    { 201: ok(nativeBackups.policyResponse, ['Location']) },
    {
      body: nativeBackups.policyBody,
    },
  ),
  op('get', '/v1/backup-policies', 'native', 'List backup policies', { 200: ok(nativeBackups.policyListResponse) }, { query: nativeBackups.listQuery }),
  op('get', '/v1/backup-policies/:policyId', 'native', 'Read a backup policy (with its next runs)', { 200: ok(nativeBackups.policyResponse) }),
  op(
    'put',
    '/v1/backup-policies/:policyId',
    'native',
    'Replace a backup policy (a password or bucket key left out stays)',
    { 200: ok(nativeBackups.policyResponse) },
    {
      body: nativeBackups.policyBody,
    },
  ),
  op('delete', '/v1/backup-policies/:policyId', 'native', "Delete a backup policy, its schedule and its archives in botport's bucket", {
    204: none('deleted'),
  }),
  op('post', '/v1/backup-policies/:policyId/runs', 'native', 'Start a run now', { 202: ok(nativeBackups.runResponse, ['Location']) }),
  op(
    'get',
    '/v1/backup-policies/:policyId/runs',
    'native',
    "A policy's runs, newest first: per bot and series written / unchanged / skipped / failed, with SHA-256",
    { 200: ok(nativeBackups.runListResponse) },
    { query: nativeBackups.listQuery.omit({ botId: true }) },
  ),
  op('get', '/v1/backup-policies/:policyId/runs/:runId', 'native', 'Read one run', { 200: ok(nativeBackups.runResponse) }),
  op(
    'get',
    '/v1/backup-policies/:policyId/archives',
    'native',
    "The archives a policy keeps (retention's survivors), newest first",
    { 200: ok(nativeBackups.archiveListResponse) },
    { query: nativeBackups.archivesQuery },
  ),
  op('get', '/v1/backup-policies/:policyId/archives/:archiveId', 'native', "One kept archive (a download URL when it is in botport's bucket)", {
    200: ok(nativeBackups.archiveResponse),
  }),
  op(
    'post',
    '/v1/backup-policies/:policyId/archives/:archiveId/restore',
    'native',
    "Restore: the backup becomes the bot's DRAFT (an import with Replace; dryRun plans it)",
    { 202: ok(nativeImports.importView, ['Location']) },
    { query: nativeBackups.restoreQuery },
  ),

  op('put', '/exports/', 'lex', 'CreateExport', { 202: ok(lexExports.createExportResponse) }, { body: lexExports.createExport }),
  op('get', '/exports/:exportId/', 'lex', 'DescribeExport (Deleting until a deleted export is gone)', { 200: ok(lexExports.describeExportResponse) }),
  op('post', '/exports/', 'lex', 'ListExports', { 200: ok(lexExports.listExportsResponse) }, { body: lexExports.listExports }),
  op('put', '/exports/:exportId/', 'lex', 'UpdateExport', { 202: ok(lexExports.exportSummary) }, { body: lexExports.updateExport }),
  op('delete', '/exports/:exportId/', 'lex', 'DeleteExport', { 202: ok(lexExports.deleteExportResponse) }),
  op('post', '/createuploadurl/', 'lex', 'CreateUploadUrl', { 200: ok(lexImports.createUploadUrlResponse) }),
  op('put', '/imports/', 'lex', 'StartImport', { 202: ok(lexImports.startImportResponse) }, { body: lexImports.startImport }),
  op('get', '/imports/:importId/', 'lex', 'DescribeImport (Deleting until a deleted import is gone)', { 200: ok(lexImports.describeImportResponse) }),
  op('post', '/imports/', 'lex', 'ListImports', { 200: ok(lexImports.listImportsResponse) }, { body: lexImports.listImports }),
  op('delete', '/imports/:importId/', 'lex', 'DeleteImport', { 202: ok(lexImports.deleteImportResponse) }),

  op('post', '/bots/', 'lex', 'ListBots', { 200: ok(lexBots.listBotsResponse) }, { body: lexBots.listBots }),
  op('get', '/bots/:botId/', 'lex', 'DescribeBot', { 200: ok(lexBots.describeBotResponse) }),
  op(
    'post',
    '/bots/:botId/botversions/',
    'lex',
    'ListBotVersions (the DRAFT included)',
    { 200: ok(lexBots.listBotVersionsResponse) },
    { body: lexBots.listBotVersions },
  ),
  op(
    'post',
    '/bots/:botId/botversions/:botVersion/botlocales/',
    'lex',
    'ListBotLocales',
    { 200: ok(lexBots.listBotLocalesResponse) },
    { body: lexBots.listBotLocales },
  ),
  op('get', '/bots/:botId/botversions/:botVersion/botlocales/:localeId/', 'lex', 'DescribeBotLocale', { 200: ok(lexBots.describeBotLocaleResponse) }),

  op('post', '/api/public/bot/:botId/export', 'kore', 'Bot export', { 200: ok(kore.koreExportCreated) }, { auth: 'kore', body: kore.exportBody }),
  op('get', '/api/public/bot/:botId/export/status', 'kore', 'Bot export status', { 200: ok(kore.koreExportStatus) }, { auth: 'kore' }),
  op(
    'post',
    '/api/public/uploadfile',
    'kore',
    'Upload the export zip, or botDefinition.json, config.json and icon.png (multipart: file, fileContext, fileExtension)',
    { 200: ok(kore.koreUploaded) },
    {
      auth: 'kore',
      body: 'multipart',
    },
  ),
  op(
    'post',
    '/api/public/bot/import',
    'kore',
    'Import as a new bot (botDefinition, configInfo, icon file ids, or the export zip)',
    { 200: ok(kore.koreImportView) },
    { auth: 'kore', body: kore.newBotImport },
  ),
  op(
    'post',
    '/api/public/bot/:botId/import',
    'kore',
    'Import into an existing bot',
    { 200: ok(kore.koreImportView) },
    { auth: 'kore', body: kore.existingBotImport },
  ),
  op('get', '/api/public/bot/import/status/:birId', 'kore', 'Bot import status', { 200: ok(kore.koreImportView) }, { auth: 'kore' }),

  op(
    'post',
    '/backup/export/:id',
    'eddi',
    "Export bot {id} as EDDI's backup zip (or, fileFormat=BotportJson, botport's); the archive's Location once it is ready, or 202 with it past the wait",
    {
      200: none('the archive is ready at Location', ['Location']),
      202: none('still building: ask Location again after Retry-After', ['Location', 'Retry-After']),
    },
    { query: eddi.exportQuery },
  ),
  op('get', '/backup/export/:id', 'eddi', 'The archive {id} (a file name a Location gave): a redirect to a pre-signed URL, valid 300 s', {
    302: none('to the archive', ['Location']),
    202: none('still building', ['Retry-After']),
  }),
  op(
    'post',
    '/backup/import',
    'eddi',
    "Import the zip in the body (an EDDI backup or any format botport reads) as a new bot: the bot's Location once done (notes in the body when any), or 202 with where to ask",
    {
      200: { description: "the new bot's Location; a body only when the import has notes", body: eddi.importNotes, headers: ['Location'] },
      202: none('still importing: ask Location again after Retry-After', ['Location', 'Retry-After']),
    },
    { body: 'zip' },
  ),
  op('get', '/backup/import/:importId', 'eddi', "Where an import stands; the bot's Location once done", {
    200: { description: "the new bot's Location; a body only when the import has notes", body: eddi.importNotes, headers: ['Location'] },
    202: none('still importing', ['Location', 'Retry-After']),
  }),

  op('get', '/bots/backup', 'xenioo', "The bot's backup (one per hour)", { 200: ok(xenioo.backupView) }, { auth: 'bot' }),
  op(
    'post',
    '/authorization/integration',
    'xenioo',
    'Sign in with API keys (AccountAPIKey, or BotAPIKey and BotAPISecret): {token, expires} in minutes',
    { 200: ok(xenioo.authorizationView) },
    { auth: 'none', body: xenioo.authorizationBody },
  ),
  op(
    'post',
    '/bots/restore',
    'xenioo',
    'Restore a backup as a new bot (one per hour): its new {APIKey, APISecret}',
    { 200: ok(xenioo.restoredAsNewView) },
    { auth: 'bot', body: xenioo.restoreBody },
  ),
  op(
    'post',
    '/bots/restore/overwrite',
    'xenioo',
    "Replace the token's bot's DRAFT with a backup (one per hour)",
    { 200: ok(xenioo.restoredView) },
    { auth: 'bot', body: xenioo.restoreBody },
  ),
];

/** Each surface's errors: what a 4xx or 5xx of it carries. */
const ERRORS: Record<Tag, { media: string; schema: z.ZodType; headers: string[] }> = {
  operations: { media: 'application/json', schema: z.object({ message: z.string() }), headers: [] },
  admin: { media: 'application/problem+json', schema: problemBody, headers: ['Retry-After'] },
  native: { media: 'application/problem+json', schema: problemBody, headers: ['Retry-After'] },
  lex: { media: 'application/json', schema: lexErrorBody, headers: ['x-amzn-ErrorType', 'Retry-After'] },
  kore: { media: 'application/json', schema: koreErrorBody, headers: ['Retry-After'] },
  eddi: { media: 'application/json', schema: eddi.eddiErrorBody, headers: ['Retry-After'] },
  xenioo: { media: 'application/json', schema: xenioo.xeniooErrorBody, headers: ['Retry-After'] },
};

const HEADERS = {
  Location: { description: 'Where the resource (or the next answer) is', schema: { type: 'string' } },
  'Retry-After': { description: 'Seconds to wait before asking again', schema: { type: 'string', pattern: '^[0-9]+$' } },
  'Idempotent-Replayed': {
    description: '`true` when an earlier request with the same Idempotency-Key made this job',
    schema: { type: 'string', const: 'true' },
  },
  'Set-Cookie': { description: 'The dashboard session: HttpOnly, SameSite=Strict, Path=/admin/board', schema: { type: 'string' } },
  'X-Request-Id': { description: "The request's id (the caller's X-Request-Id when it sent a sane one), as the logs carry it", schema: { type: 'string' } },
  'x-amzn-ErrorType': { description: "Lex's error name", schema: { type: 'string', enum: LEX_ERROR_NAMES } },
};

const PARAMETERS = {
  'Idempotency-Key': {
    name: 'Idempotency-Key',
    in: 'header',
    required: false,
    description: 'The same key (per tenant, kept a day) with the same body gives the same job; with another body, 409',
    schema: { type: 'string', minLength: 1, maxLength: 255 },
  },
  'Botport-File-Password': {
    name: 'Botport-File-Password',
    in: 'header',
    required: false,
    description: "The archive's password (never in the query: URLs reach access logs)",
    schema: { type: 'string', minLength: 1, maxLength: 1024 },
  },
};

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output') => z.toJSONSchema(schema, { target: 'draft-2020-12', unrepresentable: 'any', io });

/** Media types and schemas of a body, in a request (`input`: what is accepted) or a response (`output`: what is sent). */
function content(body: Content, io: 'input' | 'output'): Record<string, { schema: object }> {
  switch (body) {
    case 'zip':
      return { 'application/zip': { schema: { type: 'string', contentMediaType: 'application/zip' } } };
    case 'multipart':
      return {
        'multipart/form-data': {
          schema: {
            type: 'object',
            properties: {
              file: { type: 'string', description: "Kore's export zip, or its botDefinition.json, config.json or icon.png" },
              fileContext: { type: 'string' },
              fileExtension: { type: 'string', enum: ['zip', 'json', 'png'] },
            },
            required: ['file'],
          },
        },
      };
    case 'prometheus':
      return { 'text/plain': { schema: { type: 'string' } } };
    case 'html':
      return { 'text/html': { schema: { type: 'string' } } };
    case 'events':
      return { 'text/event-stream': { schema: { type: 'string', description: 'events `progress`, then `completed` or `failed`' } } };
    case 'document':
      return { 'application/json': { schema: { type: 'object', description: 'an OpenAPI 3.1 document' } } };
    default:
      return { 'application/json': { schema: jsonSchema(body, io) } };
  }
}

const headerRefs = (names: string[]) => Object.fromEntries(['X-Request-Id', ...names].map((h) => [h, { $ref: `#/components/headers/${h}` }]));

function responses(o: Operation) {
  const out: Record<string, object> = {};
  for (const [status, reply] of Object.entries(o.responses)) {
    out[status] = { description: reply.description, headers: headerRefs(reply.headers ?? []), ...(reply.body && { content: content(reply.body, 'output') }) };
  }
  const error = ERRORS[o.tag];
  const errorReply = (description: string) => ({
    description,
    headers: headerRefs(error.headers),
    content: { [error.media]: { schema: jsonSchema(error.schema, 'output') } },
  });
  // Signed-in operations and those taking input can be refused.
  if (o.auth !== 'none' || o.body) out['4XX'] = errorReply(`refused: the request, the token or the resource (in the ${o.tag} surface's error shape)`);
  if (!out['503']) out['5XX'] = errorReply('failed on our side; 503 (with Retry-After) when a dependency is out of reach');
  return out;
}

/** `/a/:b/c` → `/a/{b}/c`; the parameters named. */
function openApiPath(path: string): { path: string; params: string[] } {
  const params: string[] = [];
  return { path: path.replace(/:([A-Za-z]+)/g, (_m, name: string) => (params.push(name), `{${name}}`)), params };
}

function queryParameters(query: z.ZodType) {
  const schema = jsonSchema(query, 'input') as { properties?: Record<string, { description?: string }>; required?: string[] };
  return Object.entries(schema.properties ?? {}).map(([name, s]) => ({ name, in: 'query', required: schema.required?.includes(name) ?? false, schema: s }));
}

const SECURITY: Record<Auth, object[]> = {
  bearer: [{ bearer: [] }],
  lex: [{ sigv4: [] }, { bearer: [] }],
  kore: [{ koreAuth: [] }, { bearer: [] }],
  bot: [{ bearer: [] }],
  metrics: [{ bearer: [] }],
  none: [],
};

const operationId = (o: Operation, path: string) =>
  `${o.method}${path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`;

/** The document; `serverUrl` (PUBLIC_BASE_URL) is where clients reach this api. */
export function openApiDocument(serverUrl?: string, version = '0.1.0') {
  const paths: Record<string, Record<string, object>> = {};
  for (const o of OPERATIONS) {
    const { path, params } = openApiPath(o.path);
    paths[path] ??= {};
    paths[path][o.method] = {
      tags: [o.tag],
      summary: o.summary,
      operationId: operationId(o, path),
      security: SECURITY[o.auth ?? (o.tag === 'lex' ? 'lex' : 'bearer')],
      parameters: [
        ...params.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })),
        ...(o.query ? queryParameters(o.query) : []),
        ...(o.headers ?? []).map((h) => ({ $ref: `#/components/parameters/${h}` })),
      ],
      ...(o.body && { requestBody: { required: true, content: content(o.body, 'input') } }),
      responses: responses(o),
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'botport',
      version,
      description: 'Export, import and back up chatbot definitions: native /v1, Amazon Lex V2, Kore.ai, EDDI and Xenioo surfaces.',
      license: { name: 'Proprietary', identifier: 'LicenseRef-botport' },
    },
    servers: [{ url: serverUrl ?? '/', description: serverUrl ? 'this api (PUBLIC_BASE_URL)' : 'this api' }],
    tags: [
      { name: 'operations', description: 'Health, readiness, metrics, this document' },
      { name: 'admin', description: "A tenant's admin (its own jobs) and the operator (every tenant, the queue dashboard)" },
      { name: 'native', description: "botport's own surface: bots, exports, imports" },
      { name: 'lex', description: 'Amazon Lex V2 export and import operations, at AWS paths' },
      { name: 'kore', description: "Kore.ai's bot export and import API" },
      { name: 'eddi', description: "EDDI's backup export and import" },
      { name: 'xenioo', description: "Xenioo's bot backup and restore" },
    ],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'a botport JWT (or METRICS_TOKEN on /metrics)' },
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
      headers: HEADERS,
      parameters: PARAMETERS,
    },
    paths,
  };
}

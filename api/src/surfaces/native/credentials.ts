import { accountApiKey, ForbiddenError, type IssuedCredential, SCOPES } from '@botport/shared';
import { type Response, Router } from 'express';
import { z } from 'zod';
import type { ApiContext } from '../../context';
import { requireScope } from '../../http/auth';
import { botIdSchema, isoTime } from '../../http/fields';
import { parse } from '../../http/validate';

export const createCredential = z
  .object({
    name: z.string().min(1).max(100),
    /** Unless given: every tenant scope but `admin`. */
    scopes: z.array(z.enum(SCOPES)).min(1).optional(),
    /** Limits the credential to this one bot (Xenioo's bot keys). */
    botId: botIdSchema.optional(),
  })
  .strict();
export const listQuery = z.object({ limit: z.coerce.number().int().min(1).max(100).default(50), cursor: z.string().max(40).optional() });

export const credentialView = z.object({
  credentialId: z.string(),
  name: z.string(),
  scopes: z.array(z.string()),
  botId: z.string().optional(),
  status: z.enum(['Active', 'Revoked']),
  createdBy: z.string(),
  createdAt: isoTime,
  rotatedAt: isoTime.optional(),
  revokedAt: isoTime.optional(),
});
export const credentialList = z.object({ credentials: z.array(credentialView), nextCursor: z.string().optional() });
/** The secret, this once, and each platform's own names for the pair. */
export const issuedCredentialView = credentialView.extend({
  secret: z.string(),
  signIn: z.object({
    aws: z.object({ accessKeyId: z.string(), secretAccessKey: z.string() }),
    kore: z.object({ clientId: z.string(), clientSecret: z.string() }),
    xenioo: z.union([z.object({ BotAPIKey: z.string(), BotAPISecret: z.string() }), z.object({ AccountAPIKey: z.string() })]),
  }),
});

/** The secret, once, and how each platform's own client names the pair. */
function issued(c: IssuedCredential): z.infer<typeof issuedCredentialView> {
  const { secret, ...credential } = c;
  return {
    ...credential,
    secret,
    signIn: {
      aws: { accessKeyId: c.credentialId, secretAccessKey: secret },
      kore: { clientId: c.credentialId, clientSecret: secret },
      xenioo: c.botId ? { BotAPIKey: c.credentialId, BotAPISecret: secret } : { AccountAPIKey: accountApiKey(c.credentialId, secret) },
    },
  };
}

/** Managing credentials is the tenant admin's, with botport's own token: never a bot token, never a credential itself. */
function requireTenantAdmin(res: Response): string {
  const p = res.locals.principal;
  if (p.botId) throw new ForbiddenError('a bot token cannot manage credentials');
  return p.tenantId;
}

/** `/v1/credentials`: API credentials for the platforms' own sign-ins (SigV4, Kore app JWTs, Xenioo API keys). */
export function credentialsRouter(ctx: ApiContext): Router {
  const r = Router();
  const admin = requireScope('admin');

  r.post('/', admin, async (req, res) => {
    const tenantId = requireTenantAdmin(res);
    const created = await ctx.credentials.create(tenantId, parse(createCredential, req.body ?? {}), res.locals.principal.subject);
    res.status(201).location(`/v1/credentials/${created.credentialId}`).json(issued(created));
  });

  r.get('/', admin, async (req, res) => {
    const q = parse(listQuery, req.query, 'the query');
    const { credentials, nextCursor } = await ctx.credentials.list(requireTenantAdmin(res), q.limit, q.cursor);
    res.json({ credentials, nextCursor });
  });

  r.get('/:credentialId', admin, async (req, res) => {
    res.json(await ctx.credentials.get(requireTenantAdmin(res), String(req.params.credentialId)));
  });

  r.post('/:credentialId/rotate', admin, async (req, res) => {
    res.json(issued(await ctx.credentials.rotate(requireTenantAdmin(res), String(req.params.credentialId))));
  });

  r.delete('/:credentialId', admin, async (req, res) => {
    res.json(await ctx.credentials.revoke(requireTenantAdmin(res), String(req.params.credentialId)));
  });

  return r;
}

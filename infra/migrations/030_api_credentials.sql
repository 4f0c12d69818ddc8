-- API credentials: one concept for every platform's own sign-in. The id is
-- the AWS access key id (SigV4 on the Lex surface), Kore's clientId/appId and
-- Xenioo's BotAPIKey; the secret signs (SigV4, Kore's HS256 JWTs) or is
-- presented (Xenioo), so it is kept sealed (AES-256-GCM under SECRETS_KEY),
-- never in clear. A credential may be limited to one bot of its tenant.
CREATE TABLE api_credentials (
  credential_id  text        PRIMARY KEY CHECK (credential_id ~ '^BP[0-9A-Z]{18}$'),
  tenant_id      text        NOT NULL,
  name           text        NOT NULL,
  scopes         text[]      NOT NULL,
  bot_id         text,
  sealed_secret  text        NOT NULL,
  -- Bumped by every rotation: tokens issued under an older secret (Xenioo's) stop working with it.
  secret_version integer     NOT NULL DEFAULT 1,
  created_by     text        NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  rotated_at     timestamptz,
  revoked_at     timestamptz,
  FOREIGN KEY (tenant_id, bot_id) REFERENCES bots ON DELETE CASCADE
);

CREATE INDEX api_credentials_by_tenant ON api_credentials (tenant_id, created_at DESC, credential_id DESC);

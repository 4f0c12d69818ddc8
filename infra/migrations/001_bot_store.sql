-- The bot store: bots, their versions (DRAFT and numbered, immutable ones)
-- and one row per component. Every row carries tenant_id and every key
-- starts with it, so no query can reach across tenants by accident.

CREATE TABLE bots (
  tenant_id   text        NOT NULL,
  bot_id      text        NOT NULL CHECK (bot_id ~ '^[0-9A-Za-z]{10}$'),
  name        text        NOT NULL,
  description text        NOT NULL DEFAULT '',
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, bot_id),
  UNIQUE (tenant_id, name)
);

CREATE TABLE bot_versions (
  tenant_id   text        NOT NULL,
  bot_id      text        NOT NULL,
  -- 'DRAFT' or the published number, as text: it is an identifier, not a quantity.
  version     text        NOT NULL CHECK (version = 'DRAFT' OR version ~ '^[1-9][0-9]*$'),
  description text        NOT NULL DEFAULT '',
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, bot_id, version),
  FOREIGN KEY (tenant_id, bot_id) REFERENCES bots ON DELETE CASCADE
);

CREATE TABLE components (
  tenant_id text  NOT NULL,
  bot_id    text  NOT NULL,
  version   text  NOT NULL,
  kind      text  COLLATE "C" NOT NULL,
  -- '' for bot-level kinds, so the key below needs no expression.
  locale_id text  COLLATE "C" NOT NULL DEFAULT '',
  name      text  COLLATE "C" NOT NULL,
  body      jsonb NOT NULL,
  -- The components this one names as dependencies: [{kind, name, locale?}].
  refs      jsonb NOT NULL DEFAULT '[]',
  PRIMARY KEY (tenant_id, bot_id, version, locale_id, kind, name),
  FOREIGN KEY (tenant_id, bot_id, version) REFERENCES bot_versions ON DELETE CASCADE
);

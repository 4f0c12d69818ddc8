-- Uploads: archives handed to botport for import, before and after an import
-- uses them. Lex's CreateUploadUrl, Kore's uploadfile and EDDI's import body
-- each make one. The object lives at object_key until the upload is swept or
-- its import deleted.
CREATE TABLE uploads (
  upload_id   text        PRIMARY KEY CHECK (upload_id ~ '^[0-9A-Za-z]{10}$'),
  tenant_id   text        NOT NULL,
  object_key  text        NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL DEFAULT now() + interval '7 days'
);
CREATE INDEX uploads_expiry ON uploads (expires_at);

-- Import jobs, with the same seven-day history as exports.
CREATE TABLE import_jobs (
  import_id       text        PRIMARY KEY CHECK (import_id ~ '^[0-9A-Za-z]{10}$'),
  tenant_id       text        NOT NULL,
  requested_by    text        NOT NULL,
  surface         text        NOT NULL,
  upload_id       text        NOT NULL,
  object_key      text        NOT NULL,
  -- The target: a bot by name (made when absent), an existing bot's DRAFT by
  -- id, one locale of it, or (neither) a new bot named as the archive says.
  bot_name        text,
  bot_id          text,
  locale_id       text,
  merge_strategy  text        NOT NULL CHECK (merge_strategy IN ('Overwrite', 'FailOnConflict', 'Append')),
  -- Surface-specific settings kept for the status answer (Kore's importOptions).
  options         jsonb       NOT NULL DEFAULT '{}',
  has_password    boolean     NOT NULL DEFAULT false,
  status          text        NOT NULL CHECK (status IN ('InProgress', 'Completed', 'Failed', 'Deleting')),
  progress        smallint    NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
  failure_reasons jsonb       NOT NULL DEFAULT '[]',
  -- What the import did: components added, replaced, kept; the format it read.
  summary         jsonb,
  imported_bot_id   text,
  imported_bot_name text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  expires_at      timestamptz NOT NULL DEFAULT now() + interval '7 days',
  CHECK (bot_name IS NULL OR bot_id IS NULL),
  CHECK (locale_id IS NULL OR bot_id IS NOT NULL)
);
CREATE INDEX import_jobs_by_tenant ON import_jobs (tenant_id, updated_at DESC, import_id);
CREATE INDEX import_jobs_unfinished ON import_jobs (updated_at) WHERE status IN ('InProgress', 'Deleting');
CREATE INDEX import_jobs_expiry ON import_jobs (expires_at);

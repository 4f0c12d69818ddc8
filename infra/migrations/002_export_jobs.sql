-- Export jobs: the seven-day history lives here, not only in Redis, so a lost
-- queue can be rebuilt from it (the reconciler) and status survives restarts.

CREATE TABLE export_jobs (
  export_id       text        PRIMARY KEY CHECK (export_id ~ '^[0-9A-Za-z]{10}$'),
  tenant_id       text        NOT NULL,
  requested_by    text        NOT NULL,
  -- Which API created it (lex, kore, eddi, native): each lists its own shape.
  surface         text        NOT NULL,
  bot_id          text        NOT NULL,
  bot_name        text        NOT NULL,
  bot_version     text        NOT NULL,
  locale_id       text,
  file_format     text        NOT NULL,
  options         jsonb       NOT NULL DEFAULT '{}',
  -- Same tenant + bot + version + locale + format + options: at most one InProgress.
  dedupe_key      text        NOT NULL,
  has_password    boolean     NOT NULL DEFAULT false,
  status          text        NOT NULL CHECK (status IN ('InProgress', 'Completed', 'Failed', 'Deleting')),
  progress        smallint    NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
  failure_reasons jsonb       NOT NULL DEFAULT '[]',
  -- What the export left out and why (e.g. kinds a format has no place for).
  notes           jsonb       NOT NULL DEFAULT '[]',
  object_key      text,
  size_bytes      bigint,
  sha256          text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  expires_at      timestamptz NOT NULL DEFAULT now() + interval '7 days'
);

CREATE UNIQUE INDEX export_jobs_one_running ON export_jobs (tenant_id, dedupe_key) WHERE status = 'InProgress';
CREATE INDEX export_jobs_by_tenant ON export_jobs (tenant_id, updated_at DESC, export_id);
CREATE INDEX export_jobs_unfinished ON export_jobs (updated_at) WHERE status IN ('InProgress', 'Deleting');
CREATE INDEX export_jobs_expiry ON export_jobs (expires_at);

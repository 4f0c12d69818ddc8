-- Backup policies: what to back up (one bot or every bot of the tenant; DRAFT
-- and/or the latest published version; format and filters), when (a cron
-- schedule run by BullMQ's job schedulers), how long to keep it and where to
-- (botport's bucket or the tenant's own S3 bucket, whose secret key is sealed
-- like archive passwords).
CREATE TABLE backup_policies (
  policy_id         text        PRIMARY KEY CHECK (policy_id ~ '^[0-9A-Za-z]{10}$'),
  tenant_id         text        NOT NULL,
  name              text        NOT NULL,
  -- NULL: every bot of the tenant.
  bot_id            text,
  schedule          text        NOT NULL,
  timezone          text        NOT NULL DEFAULT 'UTC',
  versions          jsonb       NOT NULL,
  file_format       text        NOT NULL,
  options           jsonb       NOT NULL DEFAULT '{}',
  keep_last         integer     CHECK (keep_last >= 1),
  keep_days         integer     CHECK (keep_days >= 1),
  has_password      boolean     NOT NULL DEFAULT false,
  sealed_password   text,
  -- {type: 'botport'} or {type: 's3', endpoint, bucket, prefix, region, forcePathStyle, accessKeyId}
  destination       jsonb       NOT NULL,
  sealed_secret_key text,
  notify_url        text,
  enabled           boolean     NOT NULL DEFAULT true,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, name),
  FOREIGN KEY (tenant_id, bot_id) REFERENCES bots ON DELETE CASCADE
);
CREATE INDEX backup_policies_by_tenant ON backup_policies (tenant_id, created_at DESC, policy_id);

-- One run of a policy: scheduled (one per slot, whatever the number of
-- workers: the slot is unique) or started by hand. Items say, per bot and
-- version, whether an archive was written or the content was unchanged.
CREATE TABLE backup_runs (
  run_id          text        PRIMARY KEY CHECK (run_id ~ '^[0-9A-Za-z]{10}$'),
  tenant_id       text        NOT NULL,
  policy_id       text        NOT NULL REFERENCES backup_policies ON DELETE CASCADE,
  trigger         text        NOT NULL CHECK (trigger IN ('schedule', 'manual')),
  slot            timestamptz,
  status          text        NOT NULL CHECK (status IN ('InProgress', 'Completed', 'Unchanged', 'Failed')),
  items           jsonb       NOT NULL DEFAULT '[]',
  failure_reasons jsonb       NOT NULL DEFAULT '[]',
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (policy_id, slot)
);
CREATE INDEX backup_runs_by_policy ON backup_runs (policy_id, created_at DESC, run_id);
CREATE INDEX backup_runs_unfinished ON backup_runs (updated_at) WHERE status = 'InProgress';

-- Every archive a policy wrote and still keeps. A series is one bot's DRAFT
-- or its latest published version under one policy; retention works per series.
CREATE TABLE backup_archives (
  archive_id     text        PRIMARY KEY CHECK (archive_id ~ '^[0-9A-Za-z]{10}$'),
  tenant_id      text        NOT NULL,
  policy_id      text        NOT NULL REFERENCES backup_policies ON DELETE CASCADE,
  run_id         text        NOT NULL,
  bot_id         text        NOT NULL,
  bot_name       text        NOT NULL,
  series         text        NOT NULL CHECK (series IN ('DRAFT', 'published')),
  bot_version    text        NOT NULL,
  -- SHA-256 of the archive as it would be without a password: what "unchanged" compares.
  content_sha256 text        NOT NULL,
  -- SHA-256 of the bytes written (differs from content_sha256 only under a password).
  sha256         text        NOT NULL,
  size_bytes     bigint      NOT NULL,
  object_key     text        NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX backup_archives_by_series ON backup_archives (policy_id, bot_id, series, created_at DESC);

-- A backup run's failure is told to the policy's notifyUrl; its attempts are kept like a job's.
ALTER TABLE notification_attempts ADD COLUMN backup_run_id text REFERENCES backup_runs (run_id) ON DELETE CASCADE;
ALTER TABLE notification_attempts DROP CONSTRAINT notification_attempts_check;
ALTER TABLE notification_attempts ADD CONSTRAINT notification_attempts_one_job CHECK (num_nonnulls(export_id, import_id, backup_run_id) = 1);

-- A DRAFT's revision: a counter every change of the DRAFT (or of the bot's
-- description) moves by one, so "has it changed since?" is one comparison
-- (an import plan's guard, undo's refusal), never a timestamp that two
-- transactions could share.
ALTER TABLE bot_versions ADD COLUMN revision bigint NOT NULL DEFAULT 0;

-- Import jobs may be dry runs (a plan, nothing changed) and may be guarded by
-- the DRAFT revision their plan saw; Replace makes the DRAFT exactly the archive.
ALTER TABLE import_jobs DROP CONSTRAINT import_jobs_merge_strategy_check;
ALTER TABLE import_jobs ADD CONSTRAINT import_jobs_merge_strategy_check CHECK (merge_strategy IN ('Overwrite', 'FailOnConflict', 'Append', 'Replace'));
ALTER TABLE import_jobs ADD COLUMN dry_run boolean NOT NULL DEFAULT false;
ALTER TABLE import_jobs ADD COLUMN expected_revision bigint;
ALTER TABLE import_jobs ADD COLUMN plan jsonb;

-- What an import changed in a DRAFT, so it can be undone exactly: the rows it
-- replaced or removed with their old bodies, the rows it added (body NULL),
-- the bot's description when it changed. Kept as long as the import record
-- (its seven days), gone with it or with the bot.
CREATE TABLE import_undo (
  import_id          text        PRIMARY KEY REFERENCES import_jobs (import_id) ON DELETE CASCADE,
  tenant_id          text        NOT NULL,
  bot_id             text        NOT NULL,
  bot_created        boolean     NOT NULL,
  -- The DRAFT's revision right after the import: undo is refused once it moved.
  revision_after     bigint      NOT NULL,
  -- NULL when the import left the description as it was.
  description_before text,
  undone_at          timestamptz,
  FOREIGN KEY (tenant_id, bot_id) REFERENCES bots ON DELETE CASCADE
);

CREATE TABLE import_undo_rows (
  import_id text  NOT NULL REFERENCES import_undo (import_id) ON DELETE CASCADE,
  tenant_id text  NOT NULL,
  kind      text  COLLATE "C" NOT NULL,
  locale_id text  COLLATE "C" NOT NULL,
  name      text  COLLATE "C" NOT NULL,
  -- The row before the import; NULL body: the import added the row.
  body      jsonb,
  refs      jsonb,
  PRIMARY KEY (import_id, locale_id, kind, name)
);

-- Every notifyUrl delivery attempt of a job, so its owner can see what the
-- receiver answered: written by the worker on each try (delivered, failed,
-- refused). A row belongs to one export or one import and goes with it,
-- whichever way the job is deleted (DELETE, the seven-day sweep).
CREATE TABLE notification_attempts (
  attempt_id    bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- The queue job's id, sent as Botport-Delivery: the same on every retry.
  delivery_id   text        NOT NULL,
  tenant_id     text        NOT NULL,
  export_id     text        REFERENCES export_jobs (export_id) ON DELETE CASCADE,
  import_id     text        REFERENCES import_jobs (import_id) ON DELETE CASCADE,
  attempt       integer     NOT NULL CHECK (attempt >= 1),
  attempted_at  timestamptz NOT NULL DEFAULT now(),
  outcome       text        NOT NULL CHECK (outcome IN ('delivered', 'failed', 'refused')),
  status_code   smallint,
  error         text,
  -- When the queue tries again; null once the delivery is settled.
  next_retry_at timestamptz,
  CHECK ((export_id IS NULL) <> (import_id IS NULL))
);
CREATE INDEX notification_attempts_of_export ON notification_attempts (export_id, attempted_at) WHERE export_id IS NOT NULL;
CREATE INDEX notification_attempts_of_import ON notification_attempts (import_id, attempted_at) WHERE import_id IS NOT NULL;

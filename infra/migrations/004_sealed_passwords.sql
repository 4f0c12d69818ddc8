-- Archive passwords, sealed (AES-256-GCM under SECRETS_KEY), held only while
-- a job needs them: set when an export or import is started (or an export is
-- re-protected), cleared when the job completes or fails. Never in clear.
ALTER TABLE export_jobs ADD COLUMN sealed_password text;
ALTER TABLE import_jobs ADD COLUMN sealed_password text;

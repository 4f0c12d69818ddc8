-- Where to tell an integration that its job ended (optional notifyUrl on the
-- native surface). Delivered by the worker, signed with NOTIFY_SIGNING_SECRET.
ALTER TABLE export_jobs ADD COLUMN notify_url text;
ALTER TABLE import_jobs ADD COLUMN notify_url text;

-- Exports at the physical limit: what a format writes for a component is
-- derived and deflated once, then kept, keyed by the component's content.

-- A component's digest: SHA-256 over its kind, locale, name, body and refs
-- (lengths first, so no two components read alike). PostgreSQL computes it
-- on every write, whichever statement writes, so it never disagrees with
-- the row; published versions, copies and undo share their components'
-- digests. Immutable for these argument types: the text of a jsonb is fixed.
CREATE FUNCTION component_digest(kind text, locale_id text, name text, body jsonb, refs jsonb) RETURNS bytea
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  RETURN sha256(convert_to(
    length(kind) || ':' || kind || length(locale_id) || ':' || locale_id || length(name) || ':' || name || body::text || E'\n' || refs::text,
    'UTF8'));

ALTER TABLE components ADD COLUMN digest bytea NOT NULL
  GENERATED ALWAYS AS (component_digest(kind, locale_id, name, body, refs)) STORED;
-- The sweeper asks whether any version still holds a digest.
CREATE INDEX components_by_digest ON components (tenant_id, digest);
-- lz4 compresses and decompresses bodies many times faster than pglz (new rows; old ones as they are rewritten).
ALTER TABLE components ALTER COLUMN body SET COMPRESSION lz4;

-- The archive entry cache: per tenant (never shared across tenants), per
-- format variant ('LexJson/1', 'LexJson/1-utterances': a format's revision
-- and what changes its files), per component digest, the files the format
-- writes for that component — each one's path, size, SHA-256, CRC-32 and
-- compression method — with their stored (deflated) bytes one after another,
-- and the notes the format made. Only an optimisation: a row that is missing
-- is derived again (an export is slower, never different).
CREATE TABLE archive_entry_cache (
  tenant_id text        NOT NULL,
  variant   text        NOT NULL,
  digest    bytea       NOT NULL,
  -- [{path, size, sha256, crc32, method, stored}] in the order they are written.
  files     jsonb       NOT NULL,
  notes     jsonb       NOT NULL DEFAULT '[]',
  -- What the format needs to know of the component without its body (e.g. Lex's fallback intent).
  marks     jsonb       NOT NULL DEFAULT '{}',
  payload   bytea       NOT NULL,
  used_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, variant, digest)
);
-- Deflated bytes do not compress again: store them as they are.
ALTER TABLE archive_entry_cache ALTER COLUMN payload SET STORAGE EXTERNAL;
CREATE INDEX archive_entry_cache_by_use ON archive_entry_cache (used_at);

-- What decides an archive's bytes (format revision, bot, version, name,
-- description, locale, format, options): a repeat export of a published
-- version with the same key is a copy of the earlier archive.
ALTER TABLE export_jobs ADD COLUMN archive_key text;
CREATE INDEX export_jobs_by_archive_key ON export_jobs (tenant_id, archive_key) WHERE status = 'Completed' AND archive_key IS NOT NULL;

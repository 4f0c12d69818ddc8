-- Every change to a job record or an API credential is announced on the
-- `botport_changes` channel, so each api replica can keep a per-process cache
-- of them coherent (see shared/src/changes). The payload names the row only:
-- [table, id, tenant, bot]; a listener reads the row again if it needs it.
CREATE FUNCTION botport_announce_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  r jsonb := to_jsonb(CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END);
BEGIN
  PERFORM pg_notify('botport_changes', json_build_array(TG_TABLE_NAME, r ->> TG_ARGV[0], r ->> 'tenant_id', r ->> 'bot_id')::text);
  RETURN NULL;
END;
$$;

CREATE TRIGGER export_jobs_announce AFTER INSERT OR UPDATE OR DELETE ON export_jobs
  FOR EACH ROW EXECUTE FUNCTION botport_announce_change('export_id');
CREATE TRIGGER import_jobs_announce AFTER INSERT OR UPDATE OR DELETE ON import_jobs
  FOR EACH ROW EXECUTE FUNCTION botport_announce_change('import_id');
CREATE TRIGGER api_credentials_announce AFTER INSERT OR UPDATE OR DELETE ON api_credentials
  FOR EACH ROW EXECUTE FUNCTION botport_announce_change('credential_id');

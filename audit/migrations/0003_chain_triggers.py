"""Tamper evidence for the audit log, in the database (PostgreSQL only; see audit/services/chain.py).

- audit rows cannot be updated; they can be deleted only inside a transaction that set
  `voipadmin.audit_delete = on` AND recorded a chain gap covering the row (the filtered delete);
- when the inserting transaction commits, a deferred constraint trigger gives each new row the
  next chain position and its hash: sha256(previous hash || canonical row content), the head row
  holding the newest (position, hash); its row lock orders concurrent commits;
- the gap and head tables are protected the same way.
"""

from django.db import migrations

ZERO = "0" * 64

FORWARD = f"""
CREATE FUNCTION audit_record_hash(r audit_auditrecord) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT encode(sha256(convert_to(r.prev_hash || jsonb_build_array(
    r.id, r.seq, (extract(epoch FROM r.time) * 1000000)::bigint, r.actor_kind, r.actor_id, r.actor_sub_id,
    r.actor_name, r.action, r.resource_table, r.resource_id, r.statement, r.ip, r.correlation_id, r.details
  )::text, 'UTF8')), 'hex')
$$;

CREATE FUNCTION audit_seal() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  rec audit_auditrecord;
  head_seq bigint;
  head_hash text;
BEGIN
  SELECT * INTO rec FROM audit_auditrecord WHERE id = NEW.id;
  IF NOT FOUND OR rec.seq IS NOT NULL THEN
    RETURN NULL;
  END IF;
  SELECT seq, hash INTO head_seq, head_hash FROM audit_auditchainhead WHERE id = 1 FOR UPDATE;
  IF NOT FOUND THEN
    -- the head row is gone (a test flush): go on from the newest chain item, or start the chain
    SELECT s, h INTO head_seq, head_hash FROM (
      SELECT seq AS s, hash AS h FROM audit_auditrecord WHERE seq IS NOT NULL
      UNION ALL SELECT last_seq, last_hash FROM audit_auditchaingap
    ) items ORDER BY s DESC LIMIT 1;
    IF NOT FOUND THEN
      head_seq := 0;
      head_hash := '{ZERO}';
    END IF;
    INSERT INTO audit_auditchainhead (id, seq, hash) VALUES (1, head_seq, head_hash) ON CONFLICT (id) DO NOTHING;
    SELECT seq, hash INTO head_seq, head_hash FROM audit_auditchainhead WHERE id = 1 FOR UPDATE;
  END IF;
  rec.seq := head_seq + 1;
  rec.prev_hash := head_hash;
  rec.hash := audit_record_hash(rec);
  UPDATE audit_auditrecord SET seq = rec.seq, prev_hash = rec.prev_hash, hash = rec.hash WHERE id = rec.id;
  UPDATE audit_auditchainhead SET seq = rec.seq, hash = rec.hash WHERE id = 1;
  RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER audit_auditrecord_seal AFTER INSERT ON audit_auditrecord
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION audit_seal();

CREATE FUNCTION audit_guard_record() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  covered bigint;
BEGIN
  IF TG_OP = 'UPDATE' THEN
    -- only the sealing trigger may write, once, and only the chain columns
    IF pg_trigger_depth() > 1 AND OLD.seq IS NULL
       AND (to_jsonb(OLD) - 'seq' - 'prev_hash' - 'hash') = (to_jsonb(NEW) - 'seq' - 'prev_hash' - 'hash') THEN
      RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit record % cannot be changed', OLD.id USING ERRCODE = 'restrict_violation';
  END IF;
  IF coalesce(current_setting('voipadmin.audit_delete', true), '') = 'on' THEN
    IF OLD.seq IS NULL THEN
      RETURN OLD;
    END IF;
    SELECT last_seq INTO covered FROM audit_auditchaingap WHERE first_seq <= OLD.seq ORDER BY first_seq DESC LIMIT 1;
    IF covered >= OLD.seq THEN
      RETURN OLD;
    END IF;
  END IF;
  RAISE EXCEPTION 'audit record % can only be removed by the filtered delete of the audit log', OLD.id
    USING ERRCODE = 'restrict_violation';
END $$;

CREATE TRIGGER audit_auditrecord_guard BEFORE UPDATE OR DELETE ON audit_auditrecord
  FOR EACH ROW EXECUTE FUNCTION audit_guard_record();

CREATE FUNCTION audit_guard_chain() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'audit_auditchainhead' AND TG_OP IN ('INSERT', 'UPDATE') AND pg_trigger_depth() > 1 THEN
    RETURN NEW;
  END IF;
  IF TG_TABLE_NAME = 'audit_auditchainhead' AND TG_OP = 'INSERT' AND NOT EXISTS (SELECT 1 FROM audit_auditchainhead) THEN
    RETURN NEW;
  END IF;
  IF TG_TABLE_NAME = 'audit_auditchaingap' AND TG_OP = 'INSERT'
     AND coalesce(current_setting('voipadmin.audit_delete', true), '') = 'on' THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION '% of % is not allowed: the audit chain is append-only', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'restrict_violation';
END $$;

CREATE TRIGGER audit_auditchainhead_guard BEFORE INSERT OR UPDATE OR DELETE ON audit_auditchainhead
  FOR EACH ROW EXECUTE FUNCTION audit_guard_chain();
CREATE TRIGGER audit_auditchaingap_guard BEFORE INSERT OR UPDATE OR DELETE ON audit_auditchaingap
  FOR EACH ROW EXECUTE FUNCTION audit_guard_chain();

INSERT INTO audit_auditchainhead (id, seq, hash) VALUES (1, 0, '{ZERO}');
"""

BACKWARD = """
DROP TRIGGER IF EXISTS audit_auditchaingap_guard ON audit_auditchaingap;
DROP TRIGGER IF EXISTS audit_auditchainhead_guard ON audit_auditchainhead;
DROP TRIGGER IF EXISTS audit_auditrecord_guard ON audit_auditrecord;
DROP TRIGGER IF EXISTS audit_auditrecord_seal ON audit_auditrecord;
DROP FUNCTION IF EXISTS audit_guard_chain();
DROP FUNCTION IF EXISTS audit_guard_record();
DROP FUNCTION IF EXISTS audit_seal();
DROP FUNCTION IF EXISTS audit_record_hash(audit_auditrecord);
"""


def _run(sql: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(sql)  # no parameters: the % of RAISE formats stay as they are

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_chain_lockout_event_id")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]

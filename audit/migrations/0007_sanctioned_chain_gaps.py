"""Only a running deletion job may open a gap in the audit chain (audit/services/chain.py).

Before, a gap was accepted whenever the session said `voipadmin.audit_delete = on`, so any client
of the application's database login could open one and remove a row. Now the setting must name the
deletion job (its id), that job must be running, the gap must be that job's, and a row may go only
inside a gap of the job the setting names. A determined client with the same login can still
create a running job; verify_audit_log then finds its gap, which no D record sealed with the
console's key announces.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION audit_sanctioned_job() RETURNS bigint LANGUAGE plpgsql STABLE AS $$
DECLARE
  claimed text := coalesce(current_setting('voipadmin.audit_delete', true), '');
  job bigint;
BEGIN
  IF claimed !~ '^[0-9]{1,18}$' THEN
    RETURN NULL;
  END IF;
  SELECT id INTO job FROM voipadmin_deletionjob WHERE id = claimed::bigint AND state = 'running';
  RETURN job;
END $$;

CREATE OR REPLACE FUNCTION audit_guard_record() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  job bigint;
BEGIN
  IF TG_OP = 'UPDATE' THEN
    -- only the sealing trigger may write, once, and only the chain columns
    IF pg_trigger_depth() > 1 AND OLD.seq IS NULL
       AND (to_jsonb(OLD) - 'seq' - 'prev_hash' - 'hash') = (to_jsonb(NEW) - 'seq' - 'prev_hash' - 'hash') THEN
      RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit record % cannot be changed', OLD.id USING ERRCODE = 'restrict_violation';
  END IF;
  job := audit_sanctioned_job();
  IF job IS NOT NULL THEN
    IF OLD.seq IS NULL THEN
      RETURN OLD;
    END IF;
    IF EXISTS (SELECT 1 FROM audit_auditchaingap
               WHERE job_id = job AND first_seq <= OLD.seq AND last_seq >= OLD.seq) THEN
      RETURN OLD;
    END IF;
  END IF;
  RAISE EXCEPTION 'audit record % can only be removed by the filtered delete of the audit log', OLD.id
    USING ERRCODE = 'restrict_violation';
END $$;

CREATE OR REPLACE FUNCTION audit_guard_chain() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'audit_auditchainhead' AND TG_OP IN ('INSERT', 'UPDATE') AND pg_trigger_depth() > 1 THEN
    RETURN NEW;
  END IF;
  IF TG_TABLE_NAME = 'audit_auditchainhead' AND TG_OP = 'INSERT' AND NOT EXISTS (SELECT 1 FROM audit_auditchainhead) THEN
    RETURN NEW;
  END IF;
  IF TG_TABLE_NAME = 'audit_auditchaingap' AND TG_OP = 'INSERT' AND NEW.job_id = audit_sanctioned_job() THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION '% of % is not allowed: the audit chain is append-only', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'restrict_violation';
END $$;
"""

# The functions as migration 0003 created them.
BACKWARD = """
CREATE OR REPLACE FUNCTION audit_guard_record() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  covered bigint;
BEGIN
  IF TG_OP = 'UPDATE' THEN
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

CREATE OR REPLACE FUNCTION audit_guard_chain() RETURNS trigger LANGUAGE plpgsql AS $$
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

DROP FUNCTION IF EXISTS audit_sanctioned_job();
"""


def _run(sql: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(sql)  # no parameters: the % of RAISE formats stay as they are

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0006_pushed_config_change"), ("voipadmin", "0002_deletion_job_upto_pk")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]

"""The audit log cannot be changed through the application, and verify_audit_log finds any tampering."""

import itertools

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction

from audit.models import AuditChainGap, AuditRecord
from audit.reports import audit_log
from audit.services import audit_record
from audit.services.chain import chain_verify
from tests.audit.conftest import tamper
from voipadmin.models import DeletionJob
from voipadmin.reports.deletion import deletion_job_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(sealed):
    return [audit_record(action="A", table="demo_table", key={"id": n}, fields={"name": f"row{n}"}) for n in range(6)]


def row(record):
    return AuditRecord.objects.get(pk=record.pk)


def problems() -> list[str]:
    return [str(finding) for finding in chain_verify().findings]


def test_rows_are_chained_in_order(chain):
    rows = [row(record) for record in chain]
    seqs = [r.seq for r in rows]
    assert seqs == list(range(seqs[0], seqs[0] + 6))
    for before, after in itertools.pairwise(rows):
        assert after.prev_hash == before.hash and len(after.hash) == 64
    assert problems() == []


def test_the_application_cannot_update_or_delete(chain):
    for attempt in (
        lambda: AuditRecord.objects.filter(pk=chain[0].pk).update(statement="x"),
        lambda: AuditRecord.objects.filter(pk=chain[0].pk).delete(),
        lambda: AuditChainGap.objects.create(
            job=DeletionJob.objects.create(report="audit", query="", description=""),
            first_seq=1,
            last_seq=1,
            rows=1,
            prev_hash="0",
            last_hash="0",
            digest="0",
        ),
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            attempt()
    assert row(chain[0]).statement.endswith("name=row0")


def test_an_edited_row_is_found(chain):
    tamper("UPDATE audit_auditrecord SET statement = 'demo_table:id=2:name=forged' WHERE id = %s", [chain[2].pk])
    assert problems() == [
        f"row id {chain[2].pk} (position {row(chain[2]).seq}): content does not match its hash: the row was edited"
    ]


def test_a_removed_row_is_found(chain):
    seq = row(chain[3]).seq
    tamper("DELETE FROM audit_auditrecord WHERE id = %s", [chain[3].pk])
    found = problems()
    assert f"row id {chain[4].pk} (position {seq + 1}): positions {seq}..{seq} are missing: rows were removed" in found
    assert len(found) == 2  # the hole, and the broken link to the row before


def test_swapped_rows_are_found(chain):
    a, b = row(chain[1]), row(chain[2])
    tamper(
        "UPDATE audit_auditrecord SET seq = CASE id WHEN %s THEN %s ELSE %s END WHERE id IN (%s, %s)",
        [a.pk, -1, a.seq, a.pk, b.pk],
    )
    tamper("UPDATE audit_auditrecord SET seq = %s WHERE id = %s", [b.seq, a.pk])
    found = problems()
    assert any(f"row id {b.pk}" in problem and "does not follow" in problem for problem in found)
    assert any(f"row id {a.pk}" in problem for problem in found)


def test_a_removed_tail_is_found(chain):
    tamper("DELETE FROM audit_auditrecord WHERE id = %s", [chain[-1].pk])
    assert any("the newest rows were removed" in problem for problem in problems())


def test_a_row_written_with_the_triggers_off_is_found(chain):
    tamper(
        "INSERT INTO audit_auditrecord (time, actor_kind, actor_id, actor_sub_id, actor_name, action, resource_table,"
        " resource_id, statement, ip, correlation_id, details, prev_hash, hash) VALUES (now(), 'u', 0, 0, 'x', 'A',"
        " 't', '', 't', '', '', '{}', '', '')"
    )
    assert any("not in the chain" in problem for problem in problems())


def test_command_exits_non_zero_naming_the_row(chain, capsys):
    call_command("verify_audit_log")
    assert "audit log verified" in capsys.readouterr().out
    tamper("UPDATE audit_auditrecord SET actor_name = 'someone else' WHERE id = %s", [chain[1].pk])
    with pytest.raises(CommandError):
        call_command("verify_audit_log")
    assert f"TAMPERED row id {chain[1].pk}" in capsys.readouterr().err


def run_delete(query: str, user) -> DeletionJob:
    job = DeletionJob.objects.create(report="audit", query=query, description=query, requested_by=user)
    deletion_job_run(job_id=job.pk)
    job.refresh_from_db()
    return job


def test_filtered_delete_leaves_a_verifiable_chain(chain, admin_user, settings):
    settings.REPORT_DELETE_BATCH = 2  # several batches, several gaps
    for n in range(4):
        audit_record(action="U", table="other_table", key={"id": n})
    job = run_delete("resource_table=demo_table", admin_user)
    assert job.deleted == 6 and not AuditRecord.objects.filter(resource_table="demo_table").exists()
    gaps = list(AuditChainGap.objects.filter(job=job))
    assert sum(gap.rows for gap in gaps) == 6
    anchor = AuditRecord.objects.get(action="D", resource_table="audit_auditrecord")
    assert anchor.details["chain"]["rows"] == 6 and anchor.details["deleted"] == 6
    assert problems() == []
    # deleting the deletion's own record is sanctioned too, and the chain still verifies
    second = run_delete("action=D", admin_user)
    assert second.deleted == 1
    assert [anchor["job"] for anchor in AuditChainGap.objects.get(job=second).anchors] == [job.pk]
    report = chain_verify()
    assert report.ok and any("removed by a later filtered delete" in note for note in report.notes)


def test_an_unannounced_gap_is_found(chain, admin_user):
    """A client of the application's own login creates a running job and a gap for it: the database
    lets it, but no D record sealed with the console's key announces the gap."""
    job = DeletionJob.objects.create(report="audit", query="x", description="x", state="running")
    first = row(chain[2])
    with transaction.atomic():
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('voipadmin.audit_delete', %s, true)", [str(job.pk)])
        AuditChainGap.objects.create(
            job=job,
            first_seq=first.seq,
            last_seq=first.seq,
            rows=1,
            prev_hash=first.prev_hash,
            last_hash=first.hash,
            digest="x",
        )
        AuditRecord.objects.filter(pk=first.pk).delete()
    assert problems() == [
        f"chain (position {first.seq}): gap of deletion job {job.pk} is not proven yet: the job is still running"
        " (verify again after)"
    ]
    DeletionJob.objects.filter(pk=job.pk).update(state="done")
    assert problems() == [
        f"chain (position {first.seq}): gap of deletion job {job.pk} is not announced by any D record sealed by"
        " this console"
    ]


def test_audit_report_delete_is_wired_to_the_chain():
    assert audit_log.before_delete_batch is not None and audit_log.delete_details is not None
    assert audit_log.delete_event == "delete_audit_logs"

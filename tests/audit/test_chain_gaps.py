"""Only a sanctioned deletion job opens a gap in the audit chain, and verify_audit_log proves each gap
from the job's own sealed D record, never from what the gap row says (issue 15, defect 1)."""

import pytest
from django.db import DatabaseError, connection, transaction

from audit.models import AuditChainGap, AuditRecord
from audit.services import audit_record
from audit.services.chain import _gaps_digest, chain_verify
from voipadmin.models import DeletionJob
from voipadmin.reports.deletion import deletion_job_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(sealed):
    return [audit_record(action="A", table="demo_table", key={"id": n}, fields={"name": f"row{n}"}) for n in range(5)]


def problems() -> list[str]:
    return [str(finding) for finding in chain_verify().findings]


def run_delete(query: str, user) -> DeletionJob:
    job = DeletionJob.objects.create(report="audit", query=query, description=query, requested_by=user)
    deletion_job_run(job_id=job.pk)
    job.refresh_from_db()
    return job


def remove_with_own_login(victim: AuditRecord, job: DeletionJob, setting: str, anchors: list) -> None:
    """The black-box attack: in one transaction, open the delete, write a gap with the row's own
    hashes and anchors of one's choosing, remove the row."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL voipadmin.audit_delete = %s", [setting])
        AuditChainGap.objects.create(
            job=job,
            first_seq=victim.seq,
            last_seq=victim.seq,
            rows=1,
            prev_hash=victim.prev_hash,
            last_hash=victim.hash,
            digest=_gaps_digest([]),
            anchors=anchors,
        )
        AuditRecord.objects.filter(pk=victim.pk).delete()


def test_the_reported_attack_is_refused_by_the_database(chain):
    victim = AuditRecord.objects.get(pk=chain[2].pk)
    job = DeletionJob.objects.create(report="audit", query="x", description="x", state="done")
    with pytest.raises(DatabaseError, match="append-only"):
        remove_with_own_login(victim, job, "on", [job.pk])
    assert AuditRecord.objects.filter(pk=victim.pk).exists()
    assert problems() == []


def test_a_gap_of_another_running_job_does_not_cover_a_row(chain, admin_user):
    victim = AuditRecord.objects.get(pk=chain[1].pk)
    running = DeletionJob.objects.create(report="audit", query="x", description="x", state="running")
    other = DeletionJob.objects.create(report="audit", query="y", description="y", state="running")
    with pytest.raises(DatabaseError):
        remove_with_own_login(victim, running, str(other.pk), [])
    assert AuditRecord.objects.filter(pk=victim.pk).exists()


def test_self_written_anchors_prove_nothing(chain):
    victim = AuditRecord.objects.get(pk=chain[3].pk)
    job = DeletionJob.objects.create(report="audit", query="x", description="x", state="running")
    forged = {"job": job.pk, "chain": {"gaps": 1, "rows": 1, "digest": "0" * 64, "anchors": [], "seal": "0" * 64}}
    remove_with_own_login(victim, job, str(job.pk), [forged])
    DeletionJob.objects.filter(pk=job.pk).update(state="done")
    found = problems()
    assert any(f"gap of deletion job {job.pk} is not announced by any D record sealed" in p for p in found)


def test_a_forged_d_record_is_found(chain):
    victim = AuditRecord.objects.get(pk=chain[0].pk)
    job = DeletionJob.objects.create(report="audit", query="x", description="x", state="running")
    remove_with_own_login(victim, job, str(job.pk), [])
    DeletionJob.objects.filter(pk=job.pk).update(state="done")
    gaps = list(AuditChainGap.objects.filter(job=job))
    digest = _gaps_digest(gaps)
    audit_record(
        action="D",
        table="audit_auditrecord",
        key={"filter": "x"},
        details={"job": job.pk, "chain": {"gaps": 1, "rows": 1, "digest": digest, "anchors": [], "seal": "f" * 64}},
    )
    found = problems()
    assert any(
        p.startswith("row id ") and f"the D record of deletion job {job.pk} is not sealed by this console: forged" in p
        for p in found
    )
    assert any(f"gap of deletion job {job.pk} is not announced" in p for p in found)


def test_sanctioned_deletions_verify_through_two_generations(chain, admin_user, settings):
    first = run_delete("resource_table=demo_table", admin_user)
    assert first.deleted == 5 and chain_verify().ok
    second = run_delete("action=D", admin_user)
    assert second.deleted == 1
    third = run_delete("action=D", admin_user)  # removes the second's record, which held the first's
    assert third.deleted == 1
    report = chain_verify()
    assert report.ok, report.findings
    assert sum("removed by a later filtered delete" in note for note in report.notes) == 2


def test_a_rotated_secret_key_still_verifies(chain, admin_user, settings):
    run_delete("resource_table=demo_table", admin_user)
    old = settings.SECRET_KEY
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "rotated-" + "y" * 50, [old]
    assert chain_verify().ok
    settings.SECRET_KEY_FALLBACKS = []
    assert any("not sealed by this console" in p for p in problems())

"""Filtered delete: exactly the filtered rows go, protected rows stay, one audit record says so."""

import datetime
from unittest import mock

import pytest
from django.db import connection
from django.http import QueryDict

from audit.models import AuditRecord, ServerEvent, WebAccess
from tests.audit.factories import WebAccessFactory
from tests.testapp.models import Probe
from tests.testapp.reports import probes
from voipadmin.models import DeletionJob
from voipadmin.reports.deletion import deletion_job_run, deletion_preview, deletion_selection
from voipadmin.reports.filters import FilterError

pytestmark = pytest.mark.django_db

BASE = datetime.datetime(2026, 10, 1, tzinfo=datetime.UTC)


def test_filtered_delete_over_http_removes_exactly_the_filtered_rows(admin_client, django_capture_on_commit_callbacks):
    client = admin_client
    failed = [WebAccessFactory(outcome="login_failed", principal=f"typo{n}") for n in range(5)]
    kept = [WebAccessFactory(outcome="login", principal="anna") for _ in range(3)]
    kept += [WebAccessFactory(outcome="login_failed", principal="anna")]

    confirm = client.get("/web-sessions/delete/?outcome=login_failed&q=typo")
    assert confirm.status_code == 200
    assert b"data-delete-count" in confirm.content and b">\n      5\n" in confirm.content

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/web-sessions/delete/?outcome=login_failed&q=typo", {"expected": "5"})
    job = DeletionJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/deletions/{job.pk}/"
    assert job.state == "done" and job.deleted == 5 and job.expected == 5
    assert set(WebAccess.objects.values_list("pk", flat=True)) == {row.pk for row in kept}
    assert not WebAccess.objects.filter(pk__in=[row.pk for row in failed]).exists()

    record = AuditRecord.objects.get(action="D")
    assert record.resource_table == "audit_webaccess"
    assert record.statement == "audit_webaccess:filter=outcome=login_failed&q=typo"
    assert record.details["deleted"] == 5
    assert record.details["filter"] == "Event type: Failed login; Search: typo"
    assert record.actor_name == "boss" and record.actor_kind == "u" and record.ip == "127.0.0.1"
    event = ServerEvent.objects.get(event_type="delete_web_sessions")
    assert event.deleted_count == 5

    status_page = client.get(f"/deletions/{job.pk}/")
    assert b'data-job-state="done"' in status_page.content


def test_delete_refuses_an_unfiltered_or_broken_selection(admin_client):
    client = admin_client
    WebAccessFactory.create_batch(3)
    for query in ["", "o=-time", "outcome=nonsense", "principl=x"]:
        response = client.post(f"/web-sessions/delete/?{query}")
        assert response.status_code == 400, query
    assert WebAccess.objects.count() == 3
    assert not DeletionJob.objects.exists()


def test_delete_needs_the_delete_right(support_client):
    client = support_client
    WebAccessFactory()
    assert client.get("/web-sessions/delete/?outcome=login").status_code == 403
    assert client.post("/web-sessions/delete/?outcome=login").status_code == 403
    assert WebAccess.objects.count() == 1


def _probes():
    Probe.objects.bulk_create(
        [
            Probe(event_id=f"p{n}", time=BASE + datetime.timedelta(days=n % 60), kind=["PING", "PONG", "KEEP"][n % 3])
            for n in range(90)
        ]
    )


def test_protected_rows_stay_and_are_reported(admin_user, settings):
    settings.REPORT_DELETE_BATCH = 7  # several batches
    _probes()
    selection = deletion_selection(probes, QueryDict("time_before=2026-10-31T00:00:00%2B00:00"))
    preview = deletion_preview(probes, selection)
    selected = Probe.objects.filter(time__lte=datetime.datetime(2026, 10, 31, tzinfo=datetime.UTC))
    assert preview["selected"] == selected.count()
    assert preview["deletable"] == selected.exclude(kind="KEEP").count()
    assert preview["protected"] == selected.filter(kind="KEEP").count()

    job = DeletionJob.objects.create(
        report="probes", query=selection.filter_query(), description=selection.describe(), requested_by=admin_user
    )
    deletion_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == "done"
    assert job.deleted == preview["deletable"]
    assert job.protected == preview["protected"]
    assert not selected.exclude(kind="KEEP").exists()
    assert selected.filter(kind="KEEP").count() == preview["protected"]
    assert (
        Probe.objects.filter(time__gt=datetime.datetime(2026, 10, 31, tzinfo=datetime.UTC)).count()
        == 90 - preview["selected"]
    )


def test_a_job_runs_once_even_if_delivered_twice(admin_user):
    _probes()
    job = DeletionJob.objects.create(
        report="probes", query="kind=PING", description="Kind: Ping", requested_by=admin_user
    )
    assert deletion_job_run(job_id=job.pk) is not None
    assert deletion_job_run(job_id=job.pk) is None  # already done: nothing, no second audit record
    assert AuditRecord.objects.filter(action="D").count() == 1


def test_deletion_selection_refuses_empty_filter():
    with pytest.raises(FilterError) as caught:
        deletion_selection(probes, QueryDict("q="))
    assert "delete" in caught.value.errors


def test_batches_resume_after_the_last_key_and_a_last_pass_catches_late_rows(admin_user, settings, monkeypatch):
    """Small batches, each after the previous one's last key; a matching row that lands behind
    the cursor meanwhile (an ingest that committed late) is taken by the final pass from the start."""
    from voipadmin.partitions import ensure_partitions_for
    from voipadmin.reports import deletion

    settings.REPORT_DELETE_BATCH = 3
    times = [BASE + datetime.timedelta(days=n) for n in range(10)]
    ensure_partitions_for(Probe, times)
    made = Probe.objects.bulk_create(
        [Probe(event_id=f"p{n}", time=moment, kind="PING" if n % 5 else "PONG") for n, moment in enumerate(times)]
    )
    batches: list[list[int]] = []
    real = deletion.delete_by_partition

    def spying(queryset, size, deleted):
        def batch(rows):
            batches.append(sorted(rows))
            if len(batches) == 1:  # a late row, with an id below the cursor
                Probe.objects.create(id=made[0].pk - 1, event_id="late", time=BASE, kind="PING")
            deleted(rows)

        return real(queryset, size, batch)

    monkeypatch.setattr(deletion, "delete_by_partition", spying)
    job = DeletionJob.objects.create(
        report="probes", query="kind=PING", description="Kind: Ping", requested_by=admin_user
    )
    done = deletion_job_run(job_id=job.pk)
    assert done.deleted == 9 and set(Probe.objects.values_list("event_id", flat=True)) == {"p0", "p5"}
    pings = [probe.pk for probe in made if probe.kind == "PING"]
    assert batches == [pings[:3], pings[3:6], pings[6:], [made[0].pk - 1]]


def test_rows_arriving_during_the_delete_are_not_taken_and_the_job_ends(admin_user, settings, monkeypatch):
    """A selection that keeps growing (failed logins during an attack) cannot keep the job going:
    it takes the rows that existed when the delete was confirmed, and stops."""
    from voipadmin.partitions import ensure_partitions_for
    from voipadmin.reports import deletion

    settings.REPORT_DELETE_BATCH = 2
    ensure_partitions_for(Probe, [BASE])
    Probe.objects.bulk_create([Probe(event_id=f"p{n}", time=BASE, kind="PING") for n in range(6)])
    selection = deletion_selection(probes, QueryDict("kind=PING"))
    job = deletion.deletion_job_create(report=probes, selection=selection, expected=6, context=_context(admin_user))
    real = deletion.delete_by_partition
    arrived: list[str] = []

    def with_arrivals(queryset, size, deleted):
        def batch(rows):
            if len(arrived) < 50:  # bounded, so a regression fails instead of hanging
                arrived.append(Probe.objects.create(event_id=f"new{len(arrived)}", time=BASE, kind="PING").event_id)
            deleted(rows)

        return real(queryset, size, batch)

    monkeypatch.setattr(deletion, "delete_by_partition", with_arrivals)
    done = deletion_job_run(job_id=job.pk)
    assert done.state == "done" and done.deleted == 6
    assert len(arrived) == 3  # one arrival per batch of the six confirmed rows
    assert set(Probe.objects.values_list("event_id", flat=True)) == set(arrived)


def _context(user):
    from voipadmin.request_context import RequestContext, actor_for_user

    return RequestContext(ip="127.0.0.1", correlation_id="test", actor=actor_for_user(user), user=user)


def test_a_delete_over_several_months_and_the_default_partition_takes_exactly_the_selection(admin_user, settings):
    """Month by month (the DEFAULT partition too: rows of a month with no partition yet), each
    batch one statement; every batch hands the ids it deleted to the job's progress."""
    from voipadmin.partitions import ensure_partitions_for, forget_known_partitions
    from voipadmin.reports import deletion

    forget_known_partitions()
    settings.REPORT_DELETE_BATCH = 4
    months = [datetime.datetime(2026, month, 10, tzinfo=datetime.UTC) for month in (7, 8, 9)]
    ensure_partitions_for(Probe, months[:2])  # September stays in the DEFAULT partition
    made = Probe.objects.bulk_create(
        [
            Probe(event_id=f"p{n}", time=months[n % 3] + datetime.timedelta(hours=n), kind=["PING", "PONG"][n % 2])
            for n in range(30)
        ]
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT tableoid::regclass::text FROM testapp_probe ORDER BY 1")
        assert [name for (name,) in cursor.fetchall()] == [
            "testapp_probe_default",
            "testapp_probe_p202607",
            "testapp_probe_p202608",
        ]
    handed: list[tuple] = []
    real = deletion.delete_by_partition

    def spying(queryset, size, deleted):
        def batch(rows):
            assert len(rows) <= 4
            handed.extend(rows)
            deleted(rows)

        return real(queryset, size, batch)

    job = DeletionJob.objects.create(
        report="probes", query="kind=PING", description="Kind: Ping", requested_by=admin_user
    )
    with mock.patch.object(deletion, "delete_by_partition", spying):
        done = deletion_job_run(job_id=job.pk)
    pings = {probe.pk for probe in made if probe.kind == "PING"}
    assert done.state == "done" and done.deleted == 15 and done.protected == 0
    assert set(handed) == pings and len(handed) == 15
    assert set(Probe.objects.values_list("event_id", flat=True)) == {p.event_id for p in made if p.kind == "PONG"}
    record = AuditRecord.objects.get(action="D")
    assert record.details["deleted"] == 15
    assert ServerEvent.objects.get(event_type="delete_events").deleted_count == 15

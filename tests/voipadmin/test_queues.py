"""Celery's named queues: each task's route, and the maintenance and report tasks sent twice to two
real workers on the maintenance and reports queues at once, each doing its work exactly once."""

import datetime
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from audit.models import AuditRecord, ServerEvent
from cdr.models import Cdr
from cdr.reports import cdr_report
from monitoring.models import TerminalStateEvent
from sip_sessions.models import SipEvent
from tests.cdr.factories import CdrFactory
from tests.monitoring.factories import TerminalStateEventFactory
from tests.registrations.factories import T0, AccountFactory, BindingFactory
from voipadmin.celery import app
from voipadmin.models import DeletionJob

ROOT = Path(__file__).resolve().parents[2]
MAINTENANCE = [
    "sip_sessions.tasks.reconcile_events",
    "sip_sessions.tasks.vacuum_events",
    "voipadmin.tasks.maintain_partitions",
    "conferences.tasks.delete_expired_recordings",
    "monitoring.tasks.trim_terminal_history",
    "audit.tasks.expire_login_lockouts",
    "voipadmin.tasks.sweep_deletions",
    "registrations.tasks.expire_bindings",
    "cdr.tasks.compact_rollup",
    "cdr.tasks.vacuum_claims",
    "voipadmin.tasks.analyze_tables",
]


@pytest.mark.parametrize(
    ("task", "queue"),
    [
        *[(name, "maintenance") for name in MAINTENANCE],
        ("voipadmin.tasks.run_deletion", "reports"),
        ("sources.tasks.follow_kamailio", "ingest"),
        ("cdr.tasks.ingest_master_csv", "ingest"),
        ("cdr.tasks.export_cdrs", "reports"),
        ("unknown.tasks.anything", "celery"),
    ],
)
def test_each_task_goes_to_its_named_queue(task, queue):
    assert app.amqp.router.route({}, task)["queue"].name == queue


def test_every_periodic_task_is_routed_to_maintenance_or_to_its_source():
    """Upkeep goes to maintenance; a source's follower (sources.tasks.*) to ingest, with the rest
    of the feed."""
    periodic = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert set(MAINTENANCE) <= periodic
    for task in periodic - set(MAINTENANCE):
        assert task.startswith("sources.tasks."), task
        assert app.amqp.router.route({}, task)["queue"].name == "ingest"


def test_a_worker_without_q_consumes_every_declared_queue():
    declared = {queue.name: queue for queue in settings.CELERY_TASK_QUEUES}
    assert set(declared) == {"celery", "ingest", "reports", "maintenance"}
    # what a worker started without -Q consumes: every queue of task_queues
    assert set(declared) <= set(app.amqp.queues)
    # one routing key per queue: a message published for one queue reaches that queue only
    assert {name: queue.routing_key for name, queue in declared.items()} == {name: name for name in declared}


def _worker(name: str, log: Path) -> subprocess.Popen:
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "voipadmin.settings",
        "DEBUG": "1",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "RECONCILE_BATCH": "100",
        "REPORT_DELETE_BATCH": "50",
    }
    args = [sys.executable, "-m", "celery", "-A", "voipadmin", "worker", "-Q", "maintenance,reports", "-n", name]
    args += ["--pool=solo", "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "INFO"]
    return subprocess.Popen(args, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)


def _wait_for(logs: list[Path], text: str, count: int, timeout: float) -> list[str]:
    deadline = time.monotonic() + timeout
    while True:
        contents = [log.read_text() for log in logs]
        if sum(content.count(text) for content in contents) >= count:
            return contents
        if time.monotonic() > deadline:
            raise AssertionError(f"{count} x {text!r} not seen in {timeout} s:\n" + "\n".join(contents)[-4000:])
        time.sleep(0.2)


def _seed() -> DeletionJob:
    BindingFactory(account=AccountFactory(username="4001"), expires_at=T0 + datetime.timedelta(days=1))
    SipEvent.objects.bulk_create(
        SipEvent(
            event_id=f"q-{n}",
            time=T0 + datetime.timedelta(seconds=n),
            event="CONNECT",
            remote_ip="203.0.113.10",
            remote_port=5060,
            transport="UDP",
        )
        for n in range(2000)
    )
    old = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    TerminalStateEventFactory.create_batch(30, timestamp=old)
    TerminalStateEventFactory.create_batch(5, timestamp=datetime.datetime(2100, 1, 1, tzinfo=datetime.UTC))
    CdrFactory.create_batch(300, src="OLD")
    CdrFactory.create_batch(20, src="KEEP")
    return DeletionJob.objects.create(report="cdr", query="src=OLD", description="Source is OLD", expected=300)


@pytest.mark.django_db(transaction=True)
@pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")
def test_maintenance_and_deletion_sent_twice_to_two_workers_do_their_work_once(tmp_path):
    job = _seed()
    connection.close()  # the workers' connections are the ones that matter now
    app.control.purge()
    logs = [tmp_path / "w1.log", tmp_path / "w2.log"]
    workers = [_worker(f"w{n}@scale-test", log) for n, log in enumerate(logs, start=1)]
    try:
        _wait_for(logs, "ready.", 2, timeout=60)
        # Two copies side by side: the two idle workers take one each, at once.
        for name in MAINTENANCE:
            app.send_task(name)
            app.send_task(name)
        app.send_task("voipadmin.tasks.run_deletion", args=[job.pk])
        app.send_task("voipadmin.tasks.run_deletion", args=[job.pk])
        contents = _wait_for(logs, "succeeded", 2 * (len(MAINTENANCE) + 1), timeout=120)
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=30)
    assert not any("raised unexpected" in content for content in contents), "\n".join(contents)[-4000:]
    assert all(content.count("succeeded") > 0 for content in contents)  # both workers took work
    assert SipEvent.objects.filter(reconciled=True, username="4001").count() == 2000
    assert TerminalStateEvent.objects.count() == 5
    job.refresh_from_db()
    assert (job.state, job.deleted) == (DeletionJob.State.DONE, 300)
    assert list(Cdr.objects.values_list("src", flat=True).distinct()) == ["KEEP"]
    # one deletion, one server event and one audit record: the second copy found the job taken or done
    assert ServerEvent.objects.filter(event_type=cdr_report.delete_event, deleted_count=300).count() == 1
    assert AuditRecord.objects.filter(action="D", details__job=job.pk).count() == 1

"""A task sent the way production sends it: through Redis, to a real worker, not run eagerly."""

import time
import uuid

import pytest
from celery.contrib.testing.worker import start_worker

from tests.audit.factories import WebAccessFactory
from voipadmin.celery import app
from voipadmin.models import DeletionJob
from voipadmin.tasks import run_deletion

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def not_eager():
    """The test settings run tasks eagerly; this test needs them queued."""
    before = app.conf.task_always_eager
    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = before


def test_a_deletion_travels_through_the_broker_to_a_worker(admin_user, not_eager):
    assert app.conf.broker_url.startswith("redis://")
    WebAccessFactory.create_batch(3, outcome="login_failed", principal="typo")
    WebAccessFactory(outcome="login", principal="anna")
    job = DeletionJob.objects.create(
        report="web-sessions", query="outcome=login_failed", description="Failed logins", requested_by=admin_user
    )
    queue = f"test-{uuid.uuid4().hex}"  # no other worker on this Redis takes it
    with start_worker(app, pool="solo", perform_ping_check=False, queues=[queue], shutdown_timeout=10):
        run_deletion.apply_async((job.pk,), queue=queue)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            job.refresh_from_db()
            if job.state in (DeletionJob.State.DONE, DeletionJob.State.FAILED):
                break
            time.sleep(0.2)
    assert job.state == DeletionJob.State.DONE and job.deleted == 3

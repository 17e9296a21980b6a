"""5. Filtered delete of SIP events through the report machine, with an ingester posting meanwhile."""

import datetime
import json
import threading
import time

from django.contrib.auth import get_user_model
from django.http import QueryDict

from sip_sessions.reports import sip_sessions
from voipadmin.models import DeletionJob
from voipadmin.reports.deletion import deletion_job_create, deletion_selection
from voipadmin.request_context import RequestContext

from ..context import USERNAME
from ..harness import Row, fmt_int, median, timed
from ..selections import time_leaving

TARGET_SECONDS_PER_MILLION = 10
TARGET_STALL_S = 0.2
INGEST_BATCH = 100
BASELINE_S = 3.0


def selection_query(rows: int) -> str:
    """REGISTER events up to the time that leaves `rows` of them to the oldest (the oldest months)."""
    last = time_leaving("sip_sessions_sipevent", "time", "event = 'REGISTER'", rows, newest=False)
    return f"event=REGISTER&time_before={last}"


class Ingester(threading.Thread):
    """Posts batches of SIP events without pause; keeps each request's (start, seconds)."""

    def __init__(self, client):
        super().__init__(daemon=True)
        self.client = client
        self.requests: list[tuple[float, float]] = []
        self.stop = threading.Event()
        self.warm = threading.Event()  # set once the first request (not timed) is answered
        self.failures = 0

    def run(self) -> None:
        moment = datetime.datetime(2026, 10, 30, tzinfo=datetime.UTC)
        run = int(time.time())
        number = 0
        warm = True  # the first request (a new connection, the month's partition) is not timed
        while not self.stop.is_set():
            items = []
            for _ in range(INGEST_BATCH):
                number += 1
                items.append({"event_id": f"during-delete-{run}-{number}", "event": "CONNECT",
                              "timestamp": (moment + datetime.timedelta(seconds=number)).isoformat(),
                              "remote_ip": "198.18.0.1", "remote_port": 5060, "transport": "UDP"})  # fmt: skip
            started = time.perf_counter()
            reply = self.client.post_json("/api/v1/sip-events/", json.dumps(items).encode())
            if not warm:
                self.requests.append((started, time.perf_counter() - started))
            warm = False
            self.warm.set()
            if reply.status != 201:
                self.failures += 1

    def latencies(self, since: float, until: float) -> list[float]:
        return [seconds for started, seconds in self.requests if since <= started + seconds and started <= until]


def run(ctx) -> None:
    from django.conf import settings

    wanted = ctx.scale.workload
    query = selection_query(wanted)
    ctx.log(f"  selection: {query}")
    selection = deletion_selection(sip_sessions, QueryDict(query))
    user = get_user_model().objects.get(username=USERNAME)
    context = RequestContext(ip="127.0.0.1", correlation_id="bench-delete", user=user)
    ingester = Ingester(ctx.api())
    ingester.start()
    # A gunicorn worker's first request (imports, a new connection) can take seconds on a busy host:
    # the baseline starts after it.
    ingester.warm.wait(timeout=120)
    time.sleep(BASELINE_S)
    began = time.perf_counter()
    with timed() as clock:
        # The task runs as soon as the job is committed (eager Celery: in this process).
        job = deletion_job_create(report=sip_sessions, selection=selection, expected=None, context=context)
    ended = time.perf_counter()
    time.sleep(1.0)
    ingester.stop.set()
    ingester.join()
    job = DeletionJob.objects.get(pk=job.pk)
    if job.state != DeletionJob.State.DONE:
        raise SystemExit(f"bench: the deletion job ended {job.state}: {job.error}")
    seconds = clock["seconds"]
    per_million = seconds * 1_000_000 / job.deleted
    during = ingester.latencies(began, ended)
    before = ingester.latencies(began - BASELINE_S, began)
    stall = max(during, default=0.0)
    ctx.report.add(
        Row(
            number="5",
            what=f"filtered delete of {fmt_int(job.deleted)} SIP events (`/sip-sessions/delete/?{query}`) through "
            f"deletion_job_create + the run_deletion task, batches of {settings.REPORT_DELETE_BATCH:,}",
            result=f"{seconds:.1f} s ({fmt_int(job.deleted / seconds)} rows/s); concurrent ingester "
            f"({INGEST_BATCH} SIP events per POST, {len(during)} requests meanwhile, {ingester.failures} failed): "
            f"longest request {stall * 1000:,.0f} ms, median {median(during) * 1000:,.0f} ms",
            reference=f"the same ingester before the delete: longest {max(before, default=0) * 1000:,.0f} ms, "
            f"median {median(before) * 1000:,.0f} ms",
            target=f"1M in <= {TARGET_SECONDS_PER_MILLION} s (here {per_million:.0f} s per million); "
            f"no ingest request over {TARGET_STALL_S * 1000:.0f} ms",
            met=per_million <= TARGET_SECONDS_PER_MILLION and stall <= TARGET_STALL_S and ingester.failures == 0,
        )
    )

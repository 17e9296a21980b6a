"""The console against a primary and its streaming replica (run by test_replica.py in a subprocess,
with DATABASE_URL, DATABASE_REPLICA_URL and the replica's cluster name in the environment).

Replay on the replica is paused to make the two databases differ, so where a page read from shows
in what it lists. Prints one JSON object: what each step saw, and the figures measured.
"""

import json
import os
import statistics
import time

import django

django.setup()

from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402
from django.test import Client  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from cdr.models import Cdr  # noqa: E402
from tests.voipadmin.factories import UserFactory  # noqa: E402
from tests.voipadmin.pg_clusters import Cluster  # noqa: E402

READ = "X-Voipadmin-Read"
REPLICA = Cluster(os.environ["REPLICA_CLUSTER"], int(os.environ["REPLICA_PORT"]))
PASSWORD = "replica-walk-pass-1"


def cdr(n: int, src: str) -> dict:
    return {
        "uniqueid": f"1772705701.{n}",
        "sequence": 1,
        "src": src,
        "dst": "1002",
        "start": "2026-03-05T11:15:01+01:00",
        "answer": "2026-03-05T11:15:04+01:00",
        "end": "2026-03-05T11:17:20+01:00",
        "duration": 139,
        "billsec": 136,
        "disposition": "ANSWERED",
    }


def on(alias: str, sql: str):
    with connections[alias].cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


def wait_replayed(timeout: float = 20) -> float:
    """Seconds until the replica has replayed the primary's current WAL position."""
    lsn = on("default", "SELECT pg_current_wal_lsn()::text")
    started = time.perf_counter()
    while not on("replica", f"SELECT pg_last_wal_replay_lsn() >= '{lsn}'::pg_lsn"):
        if time.perf_counter() - started > timeout:
            raise RuntimeError(f"the replica did not replay {lsn} in {timeout} s")
        time.sleep(0.001)
    return time.perf_counter() - started


class Tally:
    """Statements each alias ran during a request (COPY is counted apart: it bypasses the wrappers)."""

    def __init__(self):
        self.by_alias = {"default": [], "replica": []}

    def wrapper(self, alias):
        def record(execute, sql, params, many, context):
            self.by_alias[alias].append(sql)
            return execute(sql, params, many, context)

        return record


def get(client: Client, url: str) -> tuple:
    tally = Tally()
    with (
        connections["default"].execute_wrapper(tally.wrapper("default")),
        connections["replica"].execute_wrapper(tally.wrapper("replica")),
    ):
        started = time.perf_counter()
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        elapsed = time.perf_counter() - started
    cdr_on_primary = [sql for sql in tally.by_alias["default"] if '"cdr_' in sql]
    return response, body.decode(), elapsed, len(tally.by_alias["replica"]), cdr_on_primary


def main() -> dict:
    out: dict = {}
    call_command("create_ingest_token", "pbx-replica", stdout=open(os.devnull, "w"))  # noqa: SIM115
    token = Token.objects.get(user__username="ingest.pbx-replica").key
    pbx = Client(HTTP_AUTHORIZATION=f"Token {token}")
    boss = UserFactory(username="boss", password=PASSWORD)
    boss.groups.add(Group.objects.get(name="Admins"))
    watcher = UserFactory(username="watcher", password=PASSWORD)
    watcher.groups.add(Group.objects.get(name="Support"))

    # Ingest goes to the primary; the time the replica takes to replay each batch is the lag seen.
    lags = []
    for batch in range(20):
        items = [cdr(batch * 10 + n, "OLD" if n % 2 else "KEEP") for n in range(10)]
        response = pbx.post("/api/v1/cdrs/", json.dumps(items), content_type="application/json")
        assert response.status_code == 201, response.content
        lags.append(wait_replayed())
    out["lag_ms"] = {"median": statistics.median(lags) * 1000, "max": max(lags) * 1000, "batches": len(lags)}

    admin, support = Client(), Client()
    for client, user in ((admin, boss), (support, watcher)):
        response = client.post("/login/", {"username": user.username, "password": PASSWORD})
        assert response.status_code == 302, response.content
        out.setdefault("after_login", []).append(client.get("/cdr/").headers[READ])
    wait_replayed()

    # Every read page and API GET, as the support user (who wrote nothing since): on the replica.
    pk = Cdr.objects.filter(src="KEEP").values_list("pk", flat=True).first()
    routed = []
    for url in ("/cdr/", f"/cdr/{pk}/", "/cdr/export.csv", "/cdr/summary/", "/api/v1/cdrs/", "/"):
        response, _, _, replica_queries, cdr_on_primary = get(support, url)
        routed.append(
            {
                "url": url,
                "status": response.status_code,
                "read": response.headers.get(READ),
                "replica_queries": replica_queries,
                "cdr_queries_on_primary": len(cdr_on_primary),
            }
        )
    out["routed"] = routed

    # Pause replay: from now on the replica is behind, and what a page lists tells where it read.
    on("replica", "SELECT pg_wal_replay_pause()")
    response = pbx.post("/api/v1/cdrs/", json.dumps([cdr(9000, "FRESH")]), content_type="application/json")
    assert response.status_code == 201
    response, body, *_ = get(support, "/cdr/?src=FRESH")
    out["other_reader_while_paused"] = {"read": response.headers[READ], "sees_fresh": "data-pk=" in body}
    # The ingest client pushes an account and reads it back at once: its own write, on the primary.
    account = {"username": "fresh.user", "display_name": "Fresh User"}
    response = pbx.post("/api/v1/accounts/", json.dumps([account]), content_type="application/json")
    assert response.status_code == 201, response.content
    response = pbx.get("/api/v1/accounts/?username=fresh.user")
    out["api_writer_while_paused"] = {"read": response.headers[READ], "count": len(response.json()["results"])}
    response = support.get("/api/v1/accounts/?username=fresh.user")
    out["api_other_while_paused"] = {"read": response.headers[READ], "count": len(response.json()["results"])}

    # The admin confirms a delete of the OLD rows (the worker runs it eagerly here) ...
    before = len(Cdr.objects.filter(src="OLD"))
    response = admin.post("/cdr/delete/?src=OLD", {"expected": str(before)})
    assert response.status_code == 302, response.content
    response, body, *_ = get(admin, "/cdr/?src=OLD")
    out["deleter_after_delete"] = {
        "read": response.headers[READ],
        "old_rows_listed": body.count("data-pk="),
        "lag_shown": "Read replica: pinned" in body and "bytes of WAL behind the primary" in body,
    }
    response, body, *_ = get(support, "/cdr/?src=OLD")
    out["other_reader_after_delete"] = {"read": response.headers[READ], "old_rows_listed": body.count("data-pk=")}
    # ... and the support user changes a setting: their next page is read on the primary.
    response = support.post(
        "/preferences/", {"time_zone": "Europe/Paris", "csv_delimiter": ";", "csv_encoding": "utf-8"}
    )
    assert response.status_code == 302, response.content
    response, body, *_ = get(support, "/cdr/?src=KEEP")
    out["setter_after_preferences"] = {"read": response.headers[READ], "paris_shown": "Europe/Paris" in body}

    on("replica", "SELECT pg_wal_replay_resume()")
    out["catch_up_ms"] = wait_replayed() * 1000
    response, body, *_ = get(admin, "/cdr/?src=OLD")
    out["deleter_after_catch_up"] = {"read": response.headers[READ], "old_rows_listed": body.count("data-pk=")}

    # The replica stops: pages and the API fall back to the primary and say so.
    REPLICA.stop()
    stopped = time.perf_counter()
    response, body, first, *_ = get(support, "/cdr/?src=KEEP")
    out["fallback_first"] = {
        "status": response.status_code,
        "read": response.headers.get(READ),
        "notice": "The read replica is not answering" in body,
        "rows": body.count("data-pk="),
        "ms": first * 1000,
    }
    seconds = []
    for _ in range(5):
        response, body, elapsed, *_ = get(support, "/cdr/?src=KEEP")
        assert response.status_code == 200
        seconds.append(elapsed)
    out["fallback_next_ms"] = statistics.median(seconds) * 1000
    response = support.get("/api/v1/cdrs/?src=KEEP")
    out["fallback_api"] = {"status": response.status_code, "read": response.headers.get(READ)}
    out["fallback_seconds_after_stop"] = time.perf_counter() - stopped

    REPLICA.start()
    restarted = time.perf_counter()
    while True:
        response = support.get("/cdr/?src=KEEP")
        if response.headers[READ] == "replica":
            break
        if time.perf_counter() - restarted > 30:
            raise RuntimeError("reads did not come back to the replica within 30 s of its restart")
        time.sleep(0.2)
    out["back_on_replica_s"] = time.perf_counter() - restarted
    return out


if __name__ == "__main__":
    print(json.dumps(main()))

"""The console through PgBouncer in transaction mode (run by test_pgbouncer.py in a subprocess):
ingest, its repeat, lists, a detail, the CSV export (COPY), the API, a confirmed delete, the
maintenance tasks and an ORM iterator. Prints one JSON object of what each step gave."""

import json
import os
import time

import django

django.setup()

from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from cdr.models import Cdr  # noqa: E402
from sip_sessions.tasks import reconcile_events  # noqa: E402
from tests.voipadmin.factories import UserFactory  # noqa: E402
from voipadmin.tasks import maintain_partitions  # noqa: E402

BATCHES, PER_BATCH = 10, 100


def cdr(n: int) -> dict:
    return {
        "uniqueid": f"1772800000.{n}",
        "sequence": 1,
        "src": "OLD" if n % 2 else "KEEP",
        "dst": "1002",
        "start": "2026-03-05T11:15:01+01:00",
        "end": "2026-03-05T11:17:20+01:00",
        "duration": 139,
        "billsec": 0,
        "disposition": "NO ANSWER",
    }


def main() -> dict:
    out: dict = {}
    with connection.cursor() as cursor:
        cursor.execute("SHOW port")
        out["server_port"] = cursor.fetchone()[0]
    call_command("create_ingest_token", "pbx-pool", stdout=open(os.devnull, "w"))  # noqa: SIM115
    pbx = Client(HTTP_AUTHORIZATION=f"Token {Token.objects.get(user__username='ingest.pbx-pool').key}")
    boss = UserFactory(username="boss", password="pool-walk-pass-1")
    boss.groups.add(Group.objects.get(name="Admins"))

    started = time.perf_counter()
    created = 0
    for batch in range(BATCHES):
        items = [cdr(batch * PER_BATCH + n) for n in range(PER_BATCH)]
        response = pbx.post("/api/v1/cdrs/", json.dumps(items), content_type="application/json")
        assert response.status_code == 201, response.content
        created += response.json()["created"]
    out["ingest"] = {"created": created, "rows_per_s": BATCHES * PER_BATCH / (time.perf_counter() - started)}
    response = pbx.post("/api/v1/cdrs/", json.dumps([cdr(0), cdr(1)]), content_type="application/json")
    out["repost_created"] = response.json()["created"]

    admin = Client()
    response = admin.post("/login/", {"username": "boss", "password": "pool-walk-pass-1"})
    out["login"] = response.status_code
    statuses = {}
    started = time.perf_counter()
    pk = Cdr.objects.values_list("pk", flat=True).first()
    for url in ("/", "/cdr/", "/cdr/?src=OLD&o=-start", f"/cdr/{pk}/", "/cdr/summary/", "/api/v1/cdrs/", "/readyz"):
        for _ in range(5):
            statuses.setdefault(url, set()).add(admin.get(url).status_code)
    out["pages"] = {url: sorted(codes) for url, codes in statuses.items()}
    out["page_ms"] = (time.perf_counter() - started) * 1000 / (5 * len(statuses))
    export = admin.get("/cdr/export.csv")
    out["export_lines"] = b"".join(export.streaming_content).count(b"\n")

    response = admin.post("/cdr/delete/?src=OLD", {"expected": "500"})
    out["delete"] = response.status_code
    out["left"] = sorted(set(Cdr.objects.values_list("src", flat=True)))
    out["iterator_rows"] = sum(1 for _ in Cdr.objects.order_by("pk").iterator(chunk_size=50))
    out["reconcile"] = str(reconcile_events())
    out["partitions"] = maintain_partitions()
    return out


if __name__ == "__main__":
    print(json.dumps(main(), default=str))

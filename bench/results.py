"""bench/results.md: the machine, the run, the table, how each figure is taken, the plans."""

import datetime
import importlib.metadata
from pathlib import Path

from django.db import connection

from .harness import Report, machine_info, table_markdown, table_text
from .server import THREADS, WORKERS

METHOD = """\
- **Data**: one fresh database per run (`voipadmin_bench`, migrated), loaded with COPY from
  deterministic generators (`bench/dataset/`): 5,000 accounts at 1,500 NAT addresses, a year of
  registration bindings (SCALE/100; 2% of accounts are the second line of an analog adapter, the
  NAT-ambiguous case), a year of SIP events (SCALE; office-hour traffic, every event type, about
  10% address-bound events still pending reconciliation) and of CDRs (SCALE; internal, outbound,
  inbound and ring-group calls, every disposition with Asterisk's own word), one partition per
  month; secondary indexes built after the load, then VACUUM ANALYZE. The workloads (export,
  delete, pending events) are a tenth of SCALE: 1M at SCALE=10m.
- **Server time** (2) is the `Server-Timing: app;dur=` header that `bench/wsgi.py` adds around the
  console's WSGI application: from the request handed to Django to the start of its response
  (every middleware, the view, its queries, the template); gunicorn's HTTP parsing and the socket
  are outside it. Requests go one after another on one keep-alive connection on loopback, logged in
  through the login form; 2 untimed requests first, then 50 (the admin: 50, or as many as fit in
  60 s, n given).
- **Export** (1) is timed on the client: request sent to last byte of the streamed CSV, the rows
  counted in the bytes received. Two filters of the CDR list (answered calls; busy or failed
  calls), each from the time that leaves a tenth of the workload and the whole workload (100,000
  and 1M rows at SCALE=10m). The reference is the honest floor of moving those rows out of
  PostgreSQL: `COPY (SELECT <the table's raw columns the export shows> FROM cdr_cdr WHERE <same
  filter> ORDER BY <same order>) TO STDOUT WITH (FORMAT csv)` sent by psql and read to its end
  through a pipe: the stored values (timestamps in UTC, account ids instead of usernames), no time
  zone, no neutralisation, no join. It runs once before the download (not counted; it warms the
  cache for both) and once after it (the figure). The worker's peak RSS is VmHWM of every gunicorn
  worker (reset through /proc/PID/clear_refs before each download) together with VmRSS sampled
  every 20 ms; the line gives the highest of the four downloads. django-import-export runs in a
  process of its own on a sample of the largest answered-calls selection (the first rows of the
  same filter and order), rendering CSV (`Resource.export(queryset).csv`); its rate and memory
  above its start are scaled linearly to the selection, as marked.
- **Reconciliation** (3) is `sip_sessions.reconcile.reconcile(mode=full)`, what `manage.py
  reconcile_sip_events` runs; the reference binds a sample of the same pending events one by one with
  the ORM (one query for the bindings, one `save()`), in a transaction rolled back, scaled.
- **Ingest** (4) posts prepared JSON bodies of 1,000 items to the API with an Ingest token: (a, b)
  one request after another on one connection; (c, d) the same count shared by two clients posting
  at once, each on its own connection (the server has two workers; a busy site has several PBXs).
  The reference COPYs the same rows (other source ids) into the same table in batches of 1,000, one
  transaction each, from one session. (e) posts a registrar's traffic over the 5,000 accounts
  (`registration_workload`: first REGISTERs, refreshes, moves, unregisters, in the hour before the
  run, so status events are written) from one client; its reference COPYs each item as a binding
  row.
- **Delete** (5) is a filtered delete through the report machine: `deletion_job_create` and the
  `run_deletion` task body, as the confirmation page starts it; meanwhile a thread posts batches of
  100 SIP events to the API without pause, and its slowest request is the stall.
- **Retention** (6) is `voipadmin.retention.retention_apply` with a retention that reaches the
  oldest month: a partition detach and drop (and the count of its rows for the server event).
  Then the next month's rows are deleted in batches (the reference), and months are dropped one
  by one until two are left, each timed.
- **Monitoring** (7) posts 4 terminal states for each of the 5,000 accounts to
  `/api/v1/terminal-states/` (batches of 1,000). Then (a) the refresh as an open page makes it:
  every 2 seconds, after the server pushed 25 terminal states and refreshed 35 registration
  bindings, `GET /monitoring/changes/?since=<token>` over the page's range, each answer's token into
  the next (30 polls); (b) the state counts; (c, d) a page load, unfiltered and by state; (e) a
  page of `GET /api/v1/monitoring/`: server time as for the report pages, 30 requests each
  (`bench/measures/monitoring.py`).
"""


def _postgres_settings() -> str:
    with connection.cursor() as cursor:
        values = []
        for name in ("shared_buffers", "work_mem", "effective_cache_size", "max_parallel_workers_per_gather", "jit"):
            cursor.execute(f"SHOW {name}")
            values.append(f"{name}={cursor.fetchone()[0]}")
    return ", ".join(values)


def write_results(
    path: Path,
    *,
    report: Report,
    scale,
    loaded,
    started: datetime.datetime,
    seconds: float,
    load: str,
    postgres: str,
) -> None:
    machine = machine_info()
    lines = [
        "# Benchmark results",
        "",
        f"`SCALE={scale.label} make bench`, started {started:%Y-%m-%d %H:%M} UTC, took {seconds / 60:.0f} min in all.",
        "",
        f"- Machine: {machine['CPU']}, {machine['cores']} cores, {machine['RAM']} RAM, {machine['OS']}",
        f"- PostgreSQL {postgres} ({_postgres_settings()})",
        f"- Python {machine['Python']}, Django {machine['Django']}, "
        f"gunicorn {importlib.metadata.version('gunicorn')} ({WORKERS} workers x {THREADS} threads, gthread), "
        f"psycopg {importlib.metadata.version('psycopg')}, "
        f"django-import-export {importlib.metadata.version('django-import-export')}",
        f"- Load during the run: {load} (the benchmark's own work included: above 2 means something "
        "else shared the 2 cores, e.g. another engineer's tests)",
        f"- Data: {loaded.describe()}" if loaded else "- Data: reused from an earlier load (--reuse-data)",
        "",
        "## Results",
        "",
        table_markdown(report.rows),
        "## How the figures are taken",
        "",
        METHOD,
    ]
    for title, text in report.sections:
        lines += [f"## {title}", "", text, ""]
    path.write_text("\n".join(lines))
    print()
    print(table_text(report.rows))

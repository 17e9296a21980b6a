"""Reconciliation (DESIGN.md): an event at time t from address X (ip, port, transport) is bound to
account A when exactly one account had a registration binding active at X at t; a binding is
active at t when registered_at <= t < expires_at and t < removed_at (if removed), or t = removed_at
when its connection's loss ended it (`connection_lost`: the DISCONNECT that ended the binding is
its own, and binds to it).

- no binding: the event stays pending and is tried again;
- two or more accounts (NAT, a two-line adapter): the event is marked ambiguous, never guessed.
  Ambiguous is final for the periodic task; `reconcile_sip_events --retry-ambiguous` re-examines.

Each batch is one set-based `UPDATE ... FROM (pending events JOIN bindings GROUP BY event)`; its
events that a binding matches are locked with FOR UPDATE SKIP LOCKED and the UPDATE re-checks
that each is still pending, so two runs at once share the work and bind every event once. Within
one run RECONCILE_WORKERS threads, each on its own connection, take the id ranges one after the
other (the UPDATE is the run's cost, CPU-bound in the database: a worker per core of it). After
the run the partitions it (or ingest) changed enough are analyzed (`statistics.py`); the beat
vacuums the dead row versions its updates leave.

Which pending events a run looks at:
- full (the command; the first run ever): every pending event, in id ranges;
- incremental (beat): the events that arrived in the last RECONCILE_RETRY_HOURS (retried every
  run), and older pending events at the address and time of a binding that appeared or changed
  since the previous run (a late registration still binds them; an old event whose address never
  had a binding, a scanner's, costs nothing).
"""

import datetime
import logging
import threading
from collections import Counter
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from registrations.models import Account, RegistrationBinding

from .models import PENDING_SQL, ReconciliationRun, SipEvent
from .statistics import analyze_stale_partitions

logger = logging.getLogger(__name__)

EVENTS = SipEvent._meta.db_table
BINDINGS = RegistrationBinding._meta.db_table
ACCOUNTS = Account._meta.db_table
# A binding written by an ingest transaction that was still open when the previous run started
# is not visible to that run; the next one looks this far back for it.
CHANGE_LOOKBACK = datetime.timedelta(minutes=10)
BINDING_BATCH = 2000

# The address match of the rule, for event alias `e` and binding alias `b`.
ACTIVE_AT = (
    "b.remote_ip = e.remote_ip AND b.remote_port = e.remote_port AND b.transport = e.transport "
    "AND b.registered_at <= e.time AND e.time < b.expires_at AND (b.removed_at IS NULL OR e.time < b.removed_at "
    "OR (e.time = b.removed_at AND b.removed_reason = 'connection_lost'))"
)


@dataclass
class Tally:
    examined: int = 0
    bound: int = 0
    ambiguous: int = 0
    # rows changed per partition (PostgreSQL), for the statistics kept after the run
    changed: Counter = field(default_factory=Counter)

    def add(self, other: "Tally") -> None:
        self.examined += other.examined
        self.bound += other.bound
        self.ambiguous += other.ambiguous
        self.changed.update(other.changed)


def _lock_clause() -> str:
    return "FOR UPDATE SKIP LOCKED" if connection.vendor == "postgresql" else ""


def _bind(candidates_sql: str, params: list) -> Tally:
    """Bind or mark the pending events `candidates_sql` selects (columns id, time, remote_ip,
    remote_port, transport of alias `e`); returns what it did. One statement, one transaction.

    The transaction commits without waiting for its WAL to reach the disk (PostgreSQL's
    `synchronous_commit = off` for it alone): a crash may forget the last batches, whose events are
    then pending again and bound by the next run, the rule being the same.
    """
    postgresql = connection.vendor == "postgresql"
    counted = f"""
        SELECT e.id, e.time, COUNT(DISTINCT b.account_id) AS accounts, MIN(b.account_id) AS account_id
        FROM ({candidates_sql}) e
        JOIN {BINDINGS} b ON {ACTIVE_AT}
        GROUP BY e.id, e.time
    """
    sql = f"""
        UPDATE {EVENTS} AS t SET
            reconciled = (f.accounts = 1),
            ambiguous = (f.accounts > 1),
            account_id = CASE WHEN f.accounts = 1 THEN f.account_id END,
            username = CASE WHEN f.accounts = 1 THEN COALESCE(a.username, '') ELSE '' END,
            reconciled_at = %s
        FROM ({counted}) f LEFT JOIN {ACCOUNTS} a ON a.id = f.account_id
        WHERE t.id = f.id AND t.time = f.time AND {PENDING_SQL.format(t="t.")}
        RETURNING reconciled, {"t.tableoid::regclass::text" if postgresql else "''"}
    """
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with transaction.atomic(), connection.cursor() as cursor:
        if postgresql:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
        cursor.execute(sql, [now, *params])  # SET comes before FROM
        results = cursor.fetchall()
    bound = sum(1 for value, _ in results if value)
    changed = Counter(partition for _, partition in results) if postgresql else Counter()
    return Tally(bound=bound, ambiguous=len(results) - bound, changed=changed)


def _next_range(after: int, size: int) -> tuple[int | None, int]:
    """(last id, count) of the next `size` pending events after id `after`."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT MAX(id), COUNT(*) FROM (SELECT e.id FROM {EVENTS} e WHERE {PENDING_SQL.format(t='e.')} "
            "AND e.id > %s ORDER BY e.id LIMIT %s) page",
            [after, size],
        )
        last, count = cursor.fetchone()
    return last, count


class _Ranges:
    """The id ranges of `size` pending events after `after`, handed out one after the other to
    whichever worker asks: consecutive, so no two workers ever have an event in common, and a
    worker that finishes early takes the next range (no worker idles while another has a backlog)."""

    def __init__(self, after: int, size: int) -> None:
        self._after, self._size, self._done = after, size, False
        self._lock = threading.Lock()

    def take(self) -> tuple[int, int, int] | None:
        """(after, last, count) of the next range, or None when there is none (or after stop)."""
        with self._lock:
            if self._done:
                return None
            last, count = _next_range(self._after, self._size)
            if not count:
                self._done = True
                return None
            self._done = count < self._size
            after, self._after = self._after, last
            return after, last, count

    def stop(self) -> None:
        with self._lock:
            self._done = True

    @property
    def exhausted(self) -> bool:
        with self._lock:
            return self._done


def _bind_ranges(ranges: _Ranges, first: tuple[int, int, int] | None = None) -> Tally:
    """Bind `first` (a range taken already), then the ranges `ranges` hands out until none is left."""
    tally = Tally()
    while (taken := first or ranges.take()) is not None:
        first = None
        after, last, count = taken
        # Only events some binding matches are locked: a lock is a write to the row, and the
        # events that stay pending (a scanner's) would otherwise get one every run.
        candidates = (
            f"SELECT e.id, e.time, e.remote_ip, e.remote_port, e.transport FROM {EVENTS} e "
            f"WHERE {PENDING_SQL.format(t='e.')} AND e.id > %s AND e.id <= %s "
            f"AND EXISTS (SELECT 1 FROM {BINDINGS} b WHERE {ACTIVE_AT}) {_lock_clause()}"
        )
        done = _bind(candidates, [after, last])
        done.examined = count
        tally.add(done)
    return tally


def _in_own_connection(ranges: _Ranges, first: tuple[int, int, int] | None) -> Tally:
    """A worker thread's share; Django gives the thread its own connection, closed at the end."""
    try:
        return _bind_ranges(ranges, first)
    finally:
        connection.close()


def can_fan_out() -> bool:
    """Workers need PostgreSQL and committed data: another connection does not see the rows of
    an open transaction (a caller's atomic block, a test's), so there the run is one worker."""
    return connection.vendor == "postgresql" and not connection.in_atomic_block


def bind_pending(*, after: int = 0, batch_size: int, workers: int = 1) -> Tally:
    """Every pending event with an id above `after`, in id ranges of `batch_size` events, bound by
    `workers` threads at once (each its own connection and transactions) where `can_fan_out`.
    A single range (a beat run's few new events) is bound in the caller's connection: no thread,
    no connection to open."""
    ranges = _Ranges(after, batch_size)
    first = ranges.take()
    if first is None:
        return Tally()
    if workers <= 1 or ranges.exhausted or not can_fan_out():
        return _bind_ranges(ranges, first)
    tally = Tally()
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="reconcile") as pool:
        futures = [pool.submit(_in_own_connection, ranges, None if n else first) for n in range(workers)]
        wait(futures, return_when=FIRST_EXCEPTION)
        ranges.stop()  # after a failure the others finish their batch and stop
        for future in futures:
            tally.add(future.result())  # raises the first failure
    return tally


def bind_near_changed_bindings(*, changed_since: datetime.datetime, up_to_id: int) -> Tally:
    """Pending events (id <= up_to_id) at the address and time of a binding written since
    `changed_since`, in batches of bindings."""
    tally = Tally()
    since = connection.ops.adapt_datetimefield_value(changed_since)
    after = 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT MAX(id), COUNT(*) FROM (SELECT id FROM {BINDINGS} WHERE updated_at >= %s AND id > %s "
                "ORDER BY id LIMIT %s) page",
                [since, after, BINDING_BATCH],
            )
            last, count = cursor.fetchone()
        if not count:
            return tally
        candidates = f"""
            SELECT e.id, e.time, e.remote_ip, e.remote_port, e.transport FROM {EVENTS} e
            WHERE {PENDING_SQL.format(t="e.")} AND e.id <= %s AND e.id IN (
                SELECT e.id FROM {BINDINGS} b JOIN {EVENTS} e ON {ACTIVE_AT}
                WHERE b.updated_at >= %s AND b.id > %s AND b.id <= %s AND {PENDING_SQL.format(t="e.")}
            ) {_lock_clause()}
        """
        tally.add(_bind(candidates, [up_to_id, since, after, last]))
        if count < BINDING_BATCH:
            return tally
        after = last


def _max_event_id() -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(id) FROM {EVENTS}")
        return cursor.fetchone()[0] or 0


def reopen_ambiguous() -> int:
    """Make the ambiguous events pending again (a binding history corrected by hand)."""
    return SipEvent.objects.filter(ambiguous=True).update(ambiguous=False, reconciled_at=None)


def reconcile(
    *,
    mode: str = ReconciliationRun.Mode.INCREMENTAL,
    batch_size: int | None = None,
    retry_ambiguous: bool = False,
    workers: int | None = None,
) -> ReconciliationRun:
    """One reconciliation run, recorded (the SIP Sessions page shows the last one); its pending
    events are bound by `workers` (RECONCILE_WORKERS) connections at once."""
    batch_size = batch_size or settings.RECONCILE_BATCH
    workers = workers or settings.RECONCILE_WORKERS
    now = timezone.now()
    previous = ReconciliationRun.objects.filter(finished_at__isnull=False, error="").order_by("-started_at").first()
    if previous is None:
        mode = ReconciliationRun.Mode.FULL
    run = ReconciliationRun.objects.create(mode=mode, started_at=now, max_event_id=_max_event_id())
    tally = Tally()
    try:
        if retry_ambiguous:
            reopen_ambiguous()
        if mode == ReconciliationRun.Mode.FULL:
            tally.add(bind_pending(batch_size=batch_size, workers=workers))
        else:
            retry_from = _retry_from(now)
            tally.add(bind_pending(after=retry_from, batch_size=batch_size, workers=workers))
            if retry_from:
                tally.add(
                    bind_near_changed_bindings(changed_since=previous.started_at - CHANGE_LOOKBACK, up_to_id=retry_from)
                )
    except Exception as error:
        run.error = f"{type(error).__name__}: {error}"[:2000]
        raise
    finally:
        run.examined, run.bound, run.ambiguous = tally.examined, tally.bound, tally.ambiguous
        run.finished_at = timezone.now()
        run.save(update_fields=["examined", "bound", "ambiguous", "finished_at", "error"])
    _forget_old_runs(now)
    # What autovacuum would do after the run (and after the ingest since the last one).
    analyze_stale_partitions(SipEvent, dict(tally.changed))
    logger.info(
        "reconciliation (%s): %s examined, %s bound, %s ambiguous", mode, run.examined, run.bound, run.ambiguous
    )
    return run


def _retry_from(now: datetime.datetime) -> int:
    """Events with a higher id arrived within the retry window: the newest event id seen by the
    last run that started before the window opened (0: retry every pending event)."""
    opened = now - datetime.timedelta(hours=settings.RECONCILE_RETRY_HOURS)
    anchor = ReconciliationRun.objects.filter(started_at__lte=opened).order_by("-started_at").first()
    return anchor.max_event_id if anchor else 0


def _forget_old_runs(now: datetime.datetime) -> None:
    """Runs are kept a day beyond the retry window (the window's anchor is among them)."""
    keep = datetime.timedelta(hours=settings.RECONCILE_RETRY_HOURS) + datetime.timedelta(days=1)
    ReconciliationRun.objects.filter(started_at__lt=now - keep).delete()

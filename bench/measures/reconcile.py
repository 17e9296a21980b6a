"""3. Reconciliation of the pending SIP events against the bindings, against a per-event ORM loop.

Beside the time: the WAL written during the run per event changed (what its UPDATE costs the disk
and a streaming replica; the server's whole WAL stream, so other databases' writes on a shared
server count too). The ANALYZE of the partitions the run changed is part of the run.
"""

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from registrations.models import Account, RegistrationBinding
from sip_sessions.models import PENDING, ReconciliationRun, SipEvent
from sip_sessions.reconcile import reconcile

from ..harness import Row, fmt_int, timed

ORM_SAMPLE = 2000
TARGET_SECONDS_PER_MILLION = 20


def orm_loop(events: list[SipEvent]) -> None:
    """What reconciliation looks like without set-based SQL: per event, its bindings, then a save()."""
    now = timezone.now()
    for event in events:
        accounts = set(
            RegistrationBinding.objects.filter(
                remote_ip=event.remote_ip,
                remote_port=event.remote_port,
                transport=event.transport,
                registered_at__lte=event.time,
                expires_at__gt=event.time,
            )
            .filter(Q(removed_at__isnull=True) | Q(removed_at__gt=event.time))
            .values_list("account_id", flat=True)
        )
        if not accounts:
            continue
        if len(accounts) == 1:
            account = Account.objects.get(pk=accounts.pop())
            event.account, event.username, event.reconciled = account, account.username, True
        else:
            event.ambiguous = True
        event.reconciled_at = now
        event.save(update_fields=["account", "username", "reconciled", "ambiguous", "reconciled_at"])


def _wal_position() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_insert_lsn()")
        return cursor.fetchone()[0]


def _wal_bytes_since(position: str) -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), %s)", [position])
        return float(cursor.fetchone()[0])


def run(ctx) -> None:
    pending = SipEvent.objects.filter(PENDING).count()
    bindings = RegistrationBinding.objects.count()
    with transaction.atomic():
        with timed() as loop:
            events = list(SipEvent.objects.filter(PENDING).order_by("id")[:ORM_SAMPLE])
            orm_loop(events)
        transaction.set_rollback(True)
    loop_rate = len(events) / loop["seconds"]
    ctx.log(f"  ORM loop: {len(events):,} events in {loop['seconds']:.1f} s; now the set-based run over {pending:,}")
    wal_before = _wal_position()
    with timed() as clock:
        run_record = reconcile(mode=ReconciliationRun.Mode.FULL)
    seconds = clock["seconds"]
    changed = run_record.bound + run_record.ambiguous
    wal_per_event = _wal_bytes_since(wal_before) / max(changed, 1)
    rate = run_record.examined / seconds
    per_million = 1_000_000 / rate
    ctx.report.add(
        Row(
            number="3",
            what=f"reconciliation of {fmt_int(pending)} pending SIP events against {fmt_int(bindings)} bindings "
            "(`reconcile_sip_events`)",
            result=f"{seconds:.1f} s ({fmt_int(rate)} events/s): {fmt_int(run_record.bound)} bound, "
            f"{fmt_int(run_record.ambiguous)} ambiguous, the rest had no binding; "
            f"{wal_per_event / 1024:.1f} KiB of WAL per event changed",
            reference=f"per-event ORM loop: {fmt_int(loop_rate)} events/s on {fmt_int(len(events))} of them, "
            f"scaled: {pending / loop_rate:,.0f} s",
            comparison=f"{rate / loop_rate:,.0f}x the loop",
            target=f"1M in <= {TARGET_SECONDS_PER_MILLION} s (here: {per_million:.0f} s per million)",
            met=per_million <= TARGET_SECONDS_PER_MILLION,
        )
    )

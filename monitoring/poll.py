"""The 2-second update of User Monitoring: which rows may have changed since a token, and the
token itself (a time from the database, valid across restarts)."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import Value
from django.utils import timezone

from registrations.models import Account, RegistrationBinding
from voipadmin.bulk import any_of

from .filters import MonitoringFilter
from .models import TerminalState
from .paging import Key, within
from .selectors import UserRow, user_rows


def poll_token() -> datetime.datetime:
    """A time before which every write the poll looks for has committed: the start of the oldest
    transaction now open on this database (a long ingest batch may commit rows stamped well before
    its commit), less a margin for clock skew, at most MONITORING_POLL_LOOKBACK seconds back.

    Derived from the data's own clock, not from anything in memory: a token stays valid across a
    restart of the console. Computed before the reads it goes with, so a row written meanwhile is
    seen now or by the next poll (twice at worst, which the client ignores).
    """
    margin = datetime.timedelta(seconds=settings.MONITORING_POLL_MARGIN)
    if connection.vendor != "postgresql":
        return timezone.now() - margin
    with connection.cursor() as cursor:
        if connection.in_atomic_block:  # a transaction would keep serving the activity it read first
            cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT clock_timestamp(), min(xact_start) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND backend_type = 'client backend' AND state <> 'idle'"
        )
        clock, oldest = cursor.fetchone()
    floor = clock - datetime.timedelta(seconds=settings.MONITORING_POLL_LOOKBACK)
    return max(min(clock, oldest or clock) - margin, floor)


def changed_account_ids(*, since: datetime.datetime, now: datetime.datetime) -> tuple[set[int], set[int]]:
    """(changed, edited): the accounts whose row may have changed since `since`, and those of them
    created or edited (a name, department, extension, deactivation: their row may have moved in the
    order or left the page's filters). A row changes with an account edited, a terminal state
    written, a binding written (opened, refreshed, removed), or a live binding whose expiry passed
    with no write. One statement of four index range reads (updated_at of each table, the partial
    index of live bindings)."""
    edited = Account.objects.filter(updated_at__gt=since).order_by().values_list("pk", Value(True))
    states = TerminalState.objects.filter(updated_at__gt=since).order_by()
    bindings = RegistrationBinding.objects.filter(updated_at__gt=since).order_by()
    lapsed = RegistrationBinding.objects.filter(
        removed_at__isnull=True, expires_at__gt=since, expires_at__lte=now
    ).order_by()
    others = [query.values_list("account_id", Value(False)) for query in (states, bindings, lapsed)]
    changed: set[int] = set()
    edits: set[int] = set()
    for account_id, was_edited in edited.union(*others, all=True).order_by():
        changed.add(account_id)
        if was_edited:
            edits.add(account_id)
    return changed, edits


def encode_token(moment: datetime.datetime) -> str:
    return str(int(moment.timestamp() * 1_000_000))


def decode_token(token: str) -> datetime.datetime | None:
    """The time of a token, or None when it is not one."""
    if not token.isdigit() or len(token) > 18:
        return None
    try:
        return datetime.datetime.fromtimestamp(int(token) / 1_000_000, tz=datetime.UTC)
    except (OverflowError, OSError, ValueError):
        return None


@dataclass
class Changes:
    token: datetime.datetime
    rows: list[UserRow]  # changed (perhaps), and matching the filters
    hidden: list[int]  # changed out of the filters or the page's range: the page drops them
    full: bool = False  # every row of the range: the page drops any row not among them


def changes_since(
    *, since: datetime.datetime, filterset: MonitoringFilter, lower: Key | None = None, upper: Key | None = None
) -> Changes:
    """The rows that may have changed since `since` among those the filters select in the page's
    range of the order (`lower`, `upper`: see paging), the ids of those that left the filters or
    the range (a state that changed, an edited account), and the next token. A token older than
    MONITORING_POLL_MAX_AGE (a client back after a long outage) gets every row of the range once,
    marked `full`."""
    token = poll_token()
    now = timezone.now()
    selection = within(filterset.qs, lower=lower, upper=upper)
    full = since < now - datetime.timedelta(seconds=settings.MONITORING_POLL_MAX_AGE)
    edited: set[int] = set()
    if full:
        rows = user_rows(selection, now=now)
    else:
        changed, edited = changed_account_ids(since=since, now=now)
        rows = user_rows(selection.filter(any_of(Account, "id", sorted(changed))), now=now) if changed else []
    wanted = set(filterset.states)
    shown = [row for row in rows if not wanted or row.state in wanted]
    hidden = {row.account_id for row in rows if wanted and row.state not in wanted}
    # An edited account no longer selected here (renamed out of the range, moved to a department
    # or a name the filters leave out) may still be on the page: the page drops it if it is.
    hidden.update(edited - {row.account_id for row in rows})
    return Changes(token=token, rows=shown, hidden=sorted(hidden), full=full)

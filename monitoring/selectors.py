"""Reads of the monitoring app: each user's row (state, calls, terminals), the poll's change list
and the per-state counts.

A row is computed from three index reads for any set of accounts: the pushed terminal states,
the live registration bindings (the partial index on expires_at of bindings not removed) and,
only for accounts whose SIP terminal was pushed registered and that have no live binding, the
bindings that ended since. Nothing is stored per user: a binding that expires changes a state
with no write at all.
"""

import datetime
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import Case, F, Q, QuerySet, When
from django.db.models.expressions import RawSQL
from django.utils import timezone

from registrations.models import Account, RegistrationBinding

from .models import SLOTS, STATE_FIELDS, TerminalKind, TerminalState
from .rules import State, Terminal, contact_host, device_url, sip_registered, user_state

ACCOUNT_FIELDS = ("pk", "username", "first_name", "last_name", "department", "extension", "mobile", "active")


@dataclass
class UserRow:
    account_id: int
    username: str
    first_name: str
    last_name: str
    department: str
    extension: str
    mobile: str
    active: bool
    state: State = State.GREY
    calls: int = 0
    terminals: list[Terminal] = field(default_factory=list)

    @property
    def sort_key(self) -> str:
        """Department, surname, name, username: the page's order, comparable as a plain string
        (the poll's client inserts a row that newly matches the filter by it)."""
        parts = (self.department, self.last_name, self.first_name)
        return "\t".join([*(part.casefold() for part in parts), self.username])

    @property
    def order_key(self) -> tuple[str, str, str, str]:
        """The row's values of the page order's columns (monitoring.paging.ORDER), as stored."""
        return (self.department, self.last_name, self.first_name, self.username)

    @property
    def signature(self) -> str:
        """Changes whenever anything the row shows changes: the poll's client patches a row only
        when its signature differs from the one on the page."""
        terminals = [
            (t.slot, t.kind, t.registered, t.calls_ringing, t.calls_active, t.address, t.model, t.source)
            for t in self.terminals
        ]
        shown = (self.state.value, self.calls, terminals, self.department, self.first_name, self.last_name)
        text = str((*shown, self.extension, self.username, self.active))
        return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()

    def slots(self) -> list[Terminal | None]:
        """The four terminal places, empty ones as None."""
        by_slot = {terminal.slot: terminal for terminal in self.terminals}
        return [by_slot.get(slot) for slot in SLOTS]


def user_rows(accounts: QuerySet, *, now: datetime.datetime | None = None) -> list[UserRow]:
    """The monitoring row of every account of the queryset (unsorted)."""
    now = now or timezone.now()
    if connection.vendor == "postgresql":
        return _rows_read(accounts.order_by().values("pk"), now)
    return _rows_by_orm(accounts, now)


def ordered_rows(accounts: QuerySet, limit: int, *, now: datetime.datetime) -> list[UserRow]:
    """The rows of the first `limit` accounts of an ordered queryset, in its order: a page of
    accounts, their terminals and their bindings in one statement on PostgreSQL."""
    if connection.vendor == "postgresql":
        return _rows_read(accounts.values("pk")[:limit], now)
    ids = list(accounts.values_list("pk", flat=True)[:limit])
    found = {row.account_id: row for row in _rows_by_orm(Account.objects.filter(pk__in=ids), now)}
    return [found[pk] for pk in ids if pk in found]


# One row per (account, pushed terminal), in the scope's order: the account, its newest live
# binding and, only when it has none, the latest end of a binding after its earliest SIP push
# registered (see sip_registered). Every read is an index probe by account: the page's accounts
# (the order index), the terminal states (their (account, slot) key), the live bindings (the
# partial index on (account, expires_at) of bindings not removed), the ended ones
# (binding_account_idx). The scope is one array, however many accounts it holds. The live test is
# `(account_id, expires_at) > (a.id, now)` beside `account_id = a.id`: one range of the partial
# index on (account, expires_at), which holds every binding that lapsed without being removed too
# (13 an account at SCALE=10m, each a heap visit when the test was `(expires_at > now) IS TRUE`:
# 0.08 ms an account). A row comparison led by the account is what binding_live_idx (expiry
# first) cannot answer: `expires_at > now` alone would let the planner walk every live binding
# along it for each account (0.7 ms a user at 1,000 live bindings) whenever its statistics are
# older than the latest refreshes, which they mostly are, as every refresh moves an expiry past them.
_ROWS_SQL = f"""
    SELECT {", ".join(f"a.{name}" for name in ("id", *ACCOUNT_FIELDS[1:]))},
        l.contact, l.remote_ip, l.user_agent, e.ended,
        t.terminal, t.kind, t.registered, t.calls_ringing, t.calls_active, t.address, t.model,
        CASE WHEN t.kind = 'sip' AND t.registered THEN t.timestamp END
    FROM {{scope}} WITH ORDINALITY AS s(id, n)
    JOIN {Account._meta.db_table} a ON a.id = s.id
    LEFT JOIN LATERAL (
        SELECT b.contact, b.remote_ip, b.user_agent FROM {RegistrationBinding._meta.db_table} b
        WHERE b.account_id = a.id AND b.removed_at IS NULL AND (b.account_id, b.expires_at) > (a.id, %s)
        ORDER BY b.registered_at DESC, b.id DESC LIMIT 1
    ) l ON true
    LEFT JOIN LATERAL (
        SELECT MAX(LEAST(b.expires_at, b.removed_at)) AS ended
        FROM (
            SELECT MIN(p.timestamp) AS since FROM {TerminalState._meta.db_table} p
            WHERE l.contact IS NULL AND p.account_id = a.id AND p.kind = 'sip' AND p.registered
        ) p
        JOIN {RegistrationBinding._meta.db_table} b ON b.account_id = a.id
            AND b.expires_at > p.since AND (b.removed_at IS NULL OR b.removed_at > p.since)
        WHERE LEAST(b.expires_at, b.removed_at) <= %s
    ) e ON true
    LEFT JOIN {TerminalState._meta.db_table} t ON t.account_id = a.id
    ORDER BY s.n, t.terminal
"""


def _rows_read(scope: QuerySet, now: datetime.datetime) -> list[UserRow]:
    """The rows of the accounts of `scope` (a queryset of ids), in its order, in one statement
    (PostgreSQL)."""
    try:
        sql, params = scope.query.sql_with_params()
    except EmptyResultSet:  # a filter that can match nothing (`none()`, an empty `__in`)
        return []
    moment = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        # the scope's placeholders come first in the text, then the two of the time
        cursor.execute(_ROWS_SQL.format(scope=f"unnest(ARRAY({sql}))"), [*params, moment, moment])
        found = cursor.fetchall()
    rows: list[UserRow] = []
    pushed: list[tuple] = []
    live = ended = None
    for values in found:
        if not rows or rows[-1].account_id != values[0]:
            if rows:
                _fill(rows[-1], pushed, live, ended)
            rows.append(UserRow(*values[:8]))
            contact, remote_ip, agent, ended = values[8:12]
            live = None if contact is None else (contact, remote_ip, agent)
            pushed = []
        if values[12] is not None:
            pushed.append(values[12:])
    if rows:
        _fill(rows[-1], pushed, live, ended)
    return rows


def _rows_by_orm(accounts: QuerySet, now: datetime.datetime) -> list[UserRow]:
    """`user_rows` in three or four ORM reads, for databases other than PostgreSQL."""
    rows = {values[0]: UserRow(*values) for values in accounts.order_by().values_list(*ACCOUNT_FIELDS)}
    if not rows:
        return []
    # One id list for a handful of accounts (the poll), a semi-join for the whole page.
    scope = list(rows) if len(rows) <= 1000 else accounts.order_by().values("pk")
    pushed: dict[int, list[tuple]] = defaultdict(list)
    # The push time matters only for a SIP terminal pushed registered (see sip_registered): reading
    # it for those alone spares converting 20,000 times for a full page.
    sip_pushed_at = Case(When(kind=TerminalKind.SIP, registered=True, then=F("timestamp")))
    for values in TerminalState.objects.filter(account_id__in=scope).values_list(
        "account_id", *STATE_FIELDS, sip_pushed_at
    ):
        pushed[values[0]].append(values[1:])
    live: dict[int, tuple] = {}
    for account_id, contact, remote_ip, agent in (
        RegistrationBinding.objects.filter(account_id__in=scope, removed_at__isnull=True, expires_at__gt=now)
        .order_by("registered_at", "id")
        .values_list("account_id", "contact", "remote_ip", "user_agent")
    ):
        live[account_id] = (contact, remote_ip, agent)  # the newest live binding wins
    # Accounts with no live binding whose SIP terminal was pushed registered: did a binding end
    # after the (earliest) such push?
    waiting = {
        account_id: min(slot[7] for slot in slots if slot[7] is not None)
        for account_id, slots in pushed.items()
        if account_id not in live and any(slot[7] is not None for slot in slots)
    }
    ended = last_binding_ends(waiting, now=now)
    for account_id, row in rows.items():
        _fill(row, pushed.get(account_id, []), live.get(account_id), ended.get(account_id))
    return list(rows.values())


def last_binding_ends(
    pushed_at: dict[int, datetime.datetime], *, now: datetime.datetime
) -> dict[int, datetime.datetime]:
    """For each account, the latest end (unregister, move or expiry, up to now) of its bindings,
    if one ended after the given time; read over each account's own bindings only."""
    if not pushed_at:
        return {}
    latest: dict[int, datetime.datetime] = {}
    candidates = (
        RegistrationBinding.objects.filter(account_id__in=list(pushed_at), expires_at__gt=min(pushed_at.values()))
        .filter(Q(removed_at__isnull=True) | Q(removed_at__gt=min(pushed_at.values())))
        .values_list("account_id", "expires_at", "removed_at")
    )
    for account_id, expires_at, removed_at in candidates:
        end = removed_at if removed_at is not None and removed_at < expires_at else expires_at
        if pushed_at[account_id] < end <= now and (account_id not in latest or end > latest[account_id]):
            latest[account_id] = end
    return latest


def _fill(row: UserRow, pushed: list[tuple], live: tuple | None, ended: datetime.datetime | None) -> None:
    terminals = []
    for slot, kind, registered, ringing, active, address, model, stamp in pushed:
        effective = registered
        if kind == TerminalKind.SIP:
            effective = sip_registered(
                pushed=registered, pushed_at=stamp, live_binding=live is not None, last_binding_end=ended
            )
        terminals.append(
            Terminal(
                slot=slot,
                kind=kind,
                registered=effective,
                calls_ringing=ringing,
                calls_active=active,
                address=address,
                model=model,
                pushed_registered=registered if kind == TerminalKind.SIP else None,
            )
        )
    free = [slot for slot in SLOTS if slot not in {terminal.slot for terminal in terminals}]
    derived = []
    if live is not None and not any(terminal.kind == TerminalKind.SIP for terminal in terminals):
        contact, remote_ip, agent = live
        host = contact_host(contact)
        address = host if device_url(host) else remote_ip
        derived.append(
            Terminal(slot=0, kind=TerminalKind.SIP, registered=True, address=address, model=agent, source="binding")
        )
    if row.mobile and not any(terminal.kind == TerminalKind.MOBILE for terminal in terminals):
        derived.append(
            Terminal(slot=0, kind=TerminalKind.MOBILE, registered=False, address=row.mobile, source="account")
        )
    row.state, row.calls = user_state(terminals + derived)
    for terminal, slot in zip(derived, free, strict=False):
        terminal.slot = slot
        terminals.append(terminal)
    row.terminals = sorted(terminals, key=lambda terminal: terminal.slot)


# The state rule of `user_state` and `sip_registered` as SQL, one state per account of a scope
# (any account queryset), for counting and for the state filter without building rows; tests hold
# it to the Python rule on the same data.
_ENDS = "CASE WHEN b.removed_at IS NOT NULL AND b.removed_at < b.expires_at THEN b.removed_at ELSE b.expires_at END"
_STATES_SQL = f"""
    WITH scope AS ({{scope}}), pushed AS (
        SELECT account_id, SUM(calls_active) AS active, SUM(calls_ringing) AS ringing,
            MAX(CASE WHEN registered AND kind <> 'sip' THEN 1 ELSE 0 END) AS other_on,
            MAX(CASE WHEN registered AND kind = 'sip' THEN timestamp END) AS sip_pushed_at
        FROM {TerminalState._meta.db_table} {{in_scope}} GROUP BY account_id
    ), live AS (
        SELECT DISTINCT account_id FROM {RegistrationBinding._meta.db_table}
        WHERE removed_at IS NULL AND expires_at > %s {{and_in_scope}}
    )
    SELECT a.id, CASE
        WHEN COALESCE(p.active, 0) > 0 THEN 'RED'
        WHEN COALESCE(p.ringing, 0) > 0 THEN 'ORANGE'
        WHEN p.other_on = 1 OR l.account_id IS NOT NULL THEN 'GREEN'
        WHEN p.sip_pushed_at IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM {RegistrationBinding._meta.db_table} b
            WHERE b.account_id = a.id AND b.expires_at > p.sip_pushed_at
                AND {_ENDS} > p.sip_pushed_at AND {_ENDS} <= %s
        ) THEN 'GREEN'
        ELSE 'GREY' END AS state
    FROM scope a LEFT JOIN pushed p ON p.account_id = a.id LEFT JOIN live l ON l.account_id = a.id
"""


def account_states_sql(accounts: QuerySet, *, now: datetime.datetime) -> tuple[str, list]:
    """`SELECT id, state` of every account of the queryset, as SQL and parameters. The terminals
    and bindings are read for the accounts of a filtered queryset only, and all at once (cheaper
    than a semi-join) for every account."""
    scope, params = accounts.order_by().values("id").query.sql_with_params()
    moment = connection.ops.adapt_datetimefield_value(now)
    restricted = bool(accounts.query.where)
    sql = _STATES_SQL.format(
        scope=scope,
        in_scope="WHERE account_id IN (SELECT id FROM scope)" if restricted else "",
        and_in_scope="AND account_id IN (SELECT id FROM scope)" if restricted else "",
    )
    return sql, [*params, moment, moment]


def in_states(accounts: QuerySet, states: Iterable[str], *, now: datetime.datetime) -> QuerySet:
    """The accounts of the queryset whose state now is one of `states` (the state filter, in the
    database: a page of them reads only its own rows). Run it under `without_jit()`."""
    states = list(states)
    if set(states) <= {State.RED, State.ORANGE}:
        return _in_call_states(accounts, set(states))
    sql, params = account_states_sql(accounts, now=now)
    marks = ", ".join(["%s"] * len(states))
    # Fixed SQL text; the states and times go in as parameters.
    query = RawSQL(f"SELECT id FROM ({sql}) s WHERE state IN ({marks})", [*params, *states])  # noqa: S611
    return accounts.filter(pk__in=query)


def _in_call_states(accounts: QuerySet, states: set[str]) -> QuerySet:
    """RED and ORANGE depend on the pushed terminals' calls alone (a terminal a binding or the
    mobile number adds has none): semi-joins on the partial index of terminals in a call, with no
    bindings read and no state computed per account."""
    in_call = TerminalState.objects.filter(Q(calls_active__gt=0) | Q(calls_ringing__gt=0))
    active = in_call.filter(calls_active__gt=0).values("account_id")
    if states == {State.RED, State.ORANGE}:
        return accounts.filter(pk__in=in_call.values("account_id"))
    if states == {State.RED}:
        return accounts.filter(pk__in=active)
    return accounts.filter(pk__in=in_call.filter(calls_ringing__gt=0).values("account_id")).exclude(pk__in=active)


def needs_states_sql(states: Iterable[str]) -> bool:
    """Whether the state filter `states` runs the state SQL (and so wants `without_jit`): RED and
    ORANGE alone read the terminals in a call only."""
    return not set(states) <= {State.RED, State.ORANGE}


@contextmanager
def without_jit() -> Iterator[None]:
    """The planner prices the per-user subplan of the state SQL high enough to JIT-compile the
    query, which takes ten times longer than running it (270 ms against 20 ms at 5,000 users)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        yield


def state_counts(accounts: QuerySet | None = None, *, now: datetime.datetime | None = None) -> dict[str, int]:
    """How many users of the queryset (every account by default) are in each state now: one
    aggregate in the database, the ended-binding check only for users whose SIP push is all that
    could make them GREEN."""
    if accounts is None:
        accounts = Account.objects.all()
    sql, params = account_states_sql(accounts, now=now or timezone.now())
    counts = dict.fromkeys(State.values, 0)
    with without_jit(), connection.cursor() as cursor:
        cursor.execute(f"SELECT state, COUNT(*) FROM ({sql}) s GROUP BY state", params)
        counts.update(dict(cursor.fetchall()))
    return counts

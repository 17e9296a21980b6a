"""Storing CDRs: match the accounts, make the month's partition, insert what is new. Set-based."""

import datetime
import re
from collections.abc import Iterable, Sequence

from django.db import connection, transaction
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL

from registrations.models import Account
from voipadmin.bulk import array_literal, copy_new
from voipadmin.partitions import ensure_partitions_for, month_bounds, months_between

from ..models import Cdr, CdrClaim

# Asterisk's identity is (uniqueid, sequence); the table's unique constraint must also hold `start`
# (the partition key). A record whose identity is stored with a start this close is the same call
# read in another time zone, or re-sent with a corrected start: never a second row.
SAME_CALL_WINDOW = datetime.timedelta(days=1)
# Served per partition by the unique index (uniqueid, sequence, start): an index probe per row.
_WINDOW_SQL = f"interval '{int(SAME_CALL_WINDOW.total_seconds())} seconds'"
STORED_SAME_CALL = (
    "stored.uniqueid = staged.uniqueid AND stored.sequence = staged.sequence "
    f"AND stored.start BETWEEN staged.start - {_WINDOW_SQL} AND staged.start + {_WINDOW_SQL}"
)
Starts = dict[tuple[str, int], list[datetime.datetime]]

# A channel of a technology whose channel name carries the peer (account): TECH/peer-<hex counter>.
PEER_CHANNEL = re.compile(r"^(?:SIP|PJSIP|IAX2)/(.+)-[0-9a-f]+$", re.IGNORECASE)


def channel_peer(channel: str) -> str:
    """The peer of an Asterisk channel name: `PJSIP/alice-0000002a` -> `alice`."""
    found = PEER_CHANNEL.match(channel)
    return found.group(1) if found else ""


def _named_by(values: list[str]):
    """Accounts whose extension or username is one of `values`. On PostgreSQL as two `= ANY(array)`
    with one parameter each: a batch's thousands of numbers would otherwise be thousands of
    placeholders to build, send and plan."""
    if connection.vendor == "postgresql":
        values = array_literal(values)
        return RawSQL(
            '"extension" = ANY(%s::text[]) OR "username" = ANY(%s::text[])',
            (values, values),
            output_field=BooleanField(),
        )
    return Q(extension__in=values) | Q(username__in=values)


def accounts_by_number(values: Iterable[str]) -> dict[str, int]:
    """{value: account id} for values naming exactly one account: by extension, else by username.

    One query for a whole batch. An extension several accounts share names none of them through
    that extension (never guess); the username may still name one.
    """
    wanted = {value for value in values if value}
    if not wanted:
        return {}
    by_extension: dict[str, list[int]] = {}
    by_username: dict[str, int] = {}
    rows = Account.objects.filter(_named_by(sorted(wanted))).values_list("pk", "username", "extension")
    for pk, username, extension in rows:
        if extension in wanted:
            by_extension.setdefault(extension, []).append(pk)
        if username in wanted:
            by_username[username] = pk
    found = {}
    for value in wanted:
        owners = by_extension.get(value, [])
        if len(owners) == 1:
            found[value] = owners[0]
        elif value in by_username:
            found[value] = by_username[value]
    return found


def match_accounts(rows: Sequence[dict]) -> None:
    """Set caller_id / callee_id on each row: src (else the channel's peer), dst (else dstchannel's)."""
    peers = [(channel_peer(row["channel"]), channel_peer(row["dstchannel"])) for row in rows]
    candidates = {row["src"] for row in rows} | {row["dst"] for row in rows} | {peer for pair in peers for peer in pair}
    accounts = accounts_by_number(candidates)
    for row, (peer, dstpeer) in zip(rows, peers, strict=True):
        row["caller_id"] = accounts.get(row["src"]) or accounts.get(peer)
        row["callee_id"] = accounts.get(row["dst"]) or accounts.get(dstpeer)


def first_of_each_call(rows: Sequence[dict], stored: Starts | None = None) -> list[dict]:
    """The rows without an earlier row of the same identity (or one in `stored`) within
    SAME_CALL_WINDOW of its start."""
    starts: Starts = stored or {}
    kept = []
    for row in rows:
        seen = starts.setdefault((row["uniqueid"], row["sequence"]), [])
        if any(abs(row["start"] - start) <= SAME_CALL_WINDOW for start in seen):
            continue
        seen.append(row["start"])
        kept.append(row)
    return kept


def stored_starts(rows: Sequence[dict]) -> Starts:
    """The starts stored for the batch's identities within SAME_CALL_WINDOW of its starts (and
    maybe some further off, which first_of_each_call tells apart): the store's probe, and a
    follower's cheap look before it hands rows it may have stored already to the store.

    On PostgreSQL one query per month the window reaches (one or two): `uniqueid = ANY(array)`
    within that month's partition bounds, which the unique index serves (a filter on the batch's
    start range would walk every CDR of those days). Elsewhere one query per 500 uniqueids."""
    uniqueids = sorted({row["uniqueid"] for row in rows})
    if not uniqueids:
        return {}
    moments = [row["start"] for row in rows]
    lower, upper = min(moments) - SAME_CALL_WINDOW, max(moments) + SAME_CALL_WINDOW
    found: list[tuple] = []
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(Cdr._meta.db_table)
        with connection.cursor() as cursor:
            for month in months_between(lower, upper):
                cursor.execute(
                    f"SELECT uniqueid, sequence, start FROM {table} "
                    "WHERE start >= %s AND start < %s AND uniqueid = ANY(%s::text[])",
                    [*month_bounds(month), array_literal(uniqueids)],
                )
                found.extend(cursor.fetchall())
    else:
        for first in range(0, len(uniqueids), 500):
            stored = Cdr.objects.filter(uniqueid__in=uniqueids[first : first + 500], start__gte=lower, start__lte=upper)
            found.extend(stored.values_list("uniqueid", "sequence", "start"))
    starts: Starts = {}
    for uniqueid, sequence, start in found:
        starts.setdefault((uniqueid, sequence), []).append(start)
    return starts


def _identity_arrays(identities: list[tuple[str, int]]) -> list[str]:
    return [
        array_literal(uniqueid for uniqueid, _ in identities),
        array_literal(sequence for _, sequence in identities),
    ]


def _claim_identities(rows: Sequence[dict]) -> list[str]:
    """Claim each identity of the batch (cdr.models.CdrClaim) before the probe; returns the claims'
    row addresses (ctid), for `_release_claims` at the end of the store.

    The NOT EXISTS probe sees only what was committed when its statement began: two transactions
    storing the same call at once (a client retrying, two followers) both found nothing and both
    inserted, since the unique key must hold `start` and their starts may differ by seconds. Now
    the second one's claim waits on the claim table's primary key until the first commits, and its
    probe then sees the first's row. Claimed in sorted order, so two batches never deadlock.
    """
    identities = sorted({(row["uniqueid"], row["sequence"]) for row in rows})
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO cdr_cdrclaim (uniqueid, sequence) SELECT u, s FROM unnest(%s::text[], %s::int[]) AS t(u, s) "
            "ORDER BY u, s ON CONFLICT DO NOTHING RETURNING ctid",
            _identity_arrays(identities),
        )
        return [ctid for (ctid,) in cursor.fetchall()]


def _release_claims(claims: list[str]) -> None:
    """Delete the claims in the claiming transaction, by their row addresses (no index walk): a
    waiting claim of the same identity goes on when this transaction commits (and finds the row
    stored), or rolls back."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM cdr_cdrclaim WHERE ctid = ANY(%s::tid[])", [array_literal(claims)])


def claims_vacuum() -> None:
    """VACUUM the claim table (PostgreSQL, outside a transaction): each stored batch leaves its
    claims dead there, and where autovacuum is off nothing else would make their space reusable.
    Empty between transactions, so it takes milliseconds; the beat runs it (cdr.tasks)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM {connection.ops.quote_name(CdrClaim._meta.db_table)}")


def cdr_store(*, rows: Sequence[dict]) -> int:
    """Insert the rows not stored yet; returns how many were new.

    Identity is (uniqueid, sequence): a row is skipped when that identity is stored, or earlier in
    the batch, with a start within SAME_CALL_WINDOW. Each row holds Cdr field values by attribute
    name (`caller_id`, not `caller`). Accounts are matched here for the whole batch. Runs in one
    transaction (the caller's, if open), which claims each identity (PostgreSQL) from before the
    probe to its commit, so concurrent batches of one call store it once: the probe's answer then
    holds until the commit, and the new rows go into the table by COPY.
    """
    postgresql = connection.vendor == "postgresql"
    with transaction.atomic(savepoint=False):
        claimed = _claim_identities(rows) if postgresql and rows else []
        rows = first_of_each_call(rows, stored_starts(rows))
        stored: list[dict] = []
        if rows:
            match_accounts(rows)
            ensure_partitions_for(Cdr, [row["start"] for row in rows])
            stored = copy_new(Cdr, rows, key=("uniqueid", "sequence", "start"), stored_when=STORED_SAME_CALL)
            # `stored`: the rows this call stored (what anything kept beside the CDRs follows).
        if claimed:
            _release_claims(claimed)
        return len(stored)

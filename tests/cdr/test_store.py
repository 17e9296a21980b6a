"""The one store path: accounts matched set-based, repeats skipped, months' partitions made."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cdr.models import Cdr
from cdr.services.asterisk_csv import parse_record
from cdr.services.store import STORED_SAME_CALL, accounts_by_number, cdr_store, channel_peer
from tests.cdr import master_csv as mc
from tests.cdr.factories import AccountFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("channel", "peer"),
    [
        ("PJSIP/alice-0000002a", "alice"),
        ("SIP/1001-00000001", "1001"),
        ("IAX2/bob-1234", "bob"),
        ("PJSIP/trunk-voipco-0000000e", "trunk-voipco"),
        ("DAHDI/1-1", ""),
        ("Local/100@from-internal-00000001;1", ""),
        ("", ""),
    ],
)
def test_channel_peer(channel, peer):
    assert channel_peer(channel) == peer


def test_accounts_by_extension_then_username_never_guessing():
    alice = AccountFactory(username="alice", extension="1001")
    AccountFactory(username="desk-a", extension="2000")
    AccountFactory(username="desk-b", extension="2000")  # a shared extension names nobody
    bob = AccountFactory(username="bob", extension="1002")
    with CaptureQueriesContext(connection) as queries:
        found = accounts_by_number(["1001", "2000", "bob", "+390612345678", ""])
    assert len(queries) == 1
    assert found == {"1001": alice.pk, "bob": bob.pk}


def test_store_matches_accounts_and_skips_repeats():
    alice = AccountFactory(username="alice", extension="1001")
    rows = [parse_record((line + "\n").encode(), zone=datetime.UTC) for line in (mc.L21, mc.L17_UNIQUEID, mc.L21)]
    assert cdr_store(rows=rows) == 2
    assert cdr_store(rows=rows[:1]) == 0
    assert Cdr.objects.get(uniqueid="1772705701.10").caller == alice
    assert Cdr.objects.get(uniqueid="1772708400.20").caller is None


def test_store_puts_each_month_in_its_partition():
    rows = [
        parse_record((mc.base(start=start) + ',"1772705701.1"\n').encode(), zone=datetime.UTC)
        for start in ("2026-03-05 12:00:00", "2026-04-05 12:00:00")
    ]
    assert cdr_store(rows=rows) == 2
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM cdr_cdr ORDER BY start")
        assert [name for (name,) in cursor.fetchall()] == ["cdr_cdr_p202603", "cdr_cdr_p202604"]


def test_identity_probe_is_an_index_scan_per_partition():
    """The NOT EXISTS of the insert probes the unique index (uniqueid, sequence, start) of each
    month's partition, never scans a table."""
    rows = [
        parse_record((mc.base(start=start) + f',"1772705701.{n}"\n').encode(), zone=datetime.UTC)
        for n, start in enumerate(["2026-03-31 23:30:00", "2026-04-01 00:30:00"])
    ]
    assert cdr_store(rows=rows) == 2
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid = 'cdr_cdr_p202604'::regclass")
        assert "cdr_cdr_p202604_uniqueid_sequence_start_key" in {name for (name,) in cursor.fetchall()}
        cursor.execute("SET LOCAL enable_seqscan = off")  # tiny tables: what the planner does on big ones
        cursor.execute(
            f"EXPLAIN SELECT * FROM (VALUES ('1772705701.0', 0, '2026-04-01 00:00:00+00'::timestamptz)) "
            f"AS staged (uniqueid, sequence, start) WHERE NOT EXISTS (SELECT FROM cdr_cdr stored "
            f"WHERE {STORED_SAME_CALL})"
        )
        plan = "\n".join(line for (line,) in cursor.fetchall())
    assert "Index Only Scan using cdr_cdr_p202603_uniqueid_sequence_start_key" in plan
    assert "Index Only Scan using cdr_cdr_p202604_uniqueid_sequence_start_key" in plan

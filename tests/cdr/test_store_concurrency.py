"""The identity rule under concurrency: five transactions storing one call at once store it once."""

import contextlib
import datetime
import threading

import pytest
from django.db import connection, transaction

from cdr.models import Cdr, CdrClaim
from cdr.services.asterisk_csv import parse_record
from cdr.services.ingest import cdrs_ingest
from cdr.services.store import cdr_store
from tests.cdr import master_csv as mc

CLIENTS = 5


def _item(shift: int) -> dict:
    """The same call (uniqueid + sequence) as one client sends it: its start `shift` seconds later."""
    row = parse_record((mc.L21 + "\n").encode(), zone=datetime.UTC)
    delta = datetime.timedelta(seconds=shift)
    row.update(start=row["start"] + delta, answer=row["answer"] + delta, end=row["end"] + delta)
    return row


@pytest.mark.django_db(transaction=True)
def test_five_clients_posting_one_call_at_once_store_one_row():
    """Each client stores inside its own transaction and waits for the others before committing,
    so every probe runs while the other inserts are uncommitted: without a claim on the identity
    each of them finds nothing and five rows are stored. With it the later ones wait for the
    first to commit (the barrier times out for them), then find its row."""
    other = _item(0) | {"uniqueid": "1772708400.99"}
    assert cdrs_ingest(items=[other]) == 1  # the month's partition exists, as on a live console
    barrier = threading.Barrier(CLIENTS, timeout=2)
    created, errors = [], []

    def client(shift: int) -> None:
        try:
            with transaction.atomic():
                created.append(cdrs_ingest(items=[_item(shift)]))
                with contextlib.suppress(threading.BrokenBarrierError):
                    barrier.wait()
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=client, args=(shift,)) for shift in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(created) == [0, 0, 0, 0, 1]
    assert Cdr.objects.filter(uniqueid="1772708400.20", sequence=7).count() == 1


@pytest.mark.django_db(transaction=True)
def test_claims_live_only_inside_the_storing_transaction_and_take_no_shared_locks():
    """PostgreSQL's lock table is shared by every session (6,400 slots by default): a 5,000-row
    import must not take a lock per row. Claims are rows, gone when the store is done."""
    base = _item(0)
    rows = [base | {"uniqueid": f"1772708400.{n}", "sequence": n} for n in range(3000)]
    with transaction.atomic():
        assert cdr_store(rows=rows) == 3000
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()")
            assert cursor.fetchone()[0] <= 1  # at most the partitions' own
    assert CdrClaim.objects.count() == 0


def _claims_size() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_relation_size('cdr_cdrclaim')")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_the_beat_vacuum_makes_the_space_of_dead_claims_reusable():
    """Each batch's claims are dead once it commits; where autovacuum is off the table would grow
    by a batch's worth each time. After the beat's VACUUM the next batch reuses that space."""
    from cdr.tasks import vacuum_claims

    base = _item(0)
    assert cdr_store(rows=[base | {"uniqueid": f"1772708401.{n}", "sequence": n} for n in range(3000)]) == 3000
    grown = _claims_size()
    assert grown > 0
    vacuum_claims()
    assert cdr_store(rows=[base | {"uniqueid": f"1772708402.{n}", "sequence": n} for n in range(3000)]) == 3000
    assert _claims_size() == grown
    assert CdrClaim.objects.count() == 0

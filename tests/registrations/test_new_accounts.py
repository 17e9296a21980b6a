"""A registrations batch creates the accounts it proves in one INSERT ... ON CONFLICT DO NOTHING,
each with the audit record a save() writes, all-or-nothing, and once under concurrent feeds."""

import threading

import pytest
from django.db import connection, transaction

from audit.models import AuditRecord
from audit.services.chain import chain_verify
from registrations.models import Account, RegistrationBinding
from registrations.serializers import RegistrationIngestSerializer
from registrations.services import registrations_store
from tests.registrations.test_registrations_api import DAY, item

TABLE = "registrations_account"


def batch(usernames, *, tag: str) -> list[dict]:
    raw = [
        item(f"{tag}-{n}", f"{DAY}T09:00:00Z", username=name, contact=f"sip:{name}@10.0.{n // 250}.{n % 250}:5060")
        for n, name in enumerate(usernames)
    ]
    serializer = RegistrationIngestSerializer(data=raw, many=True)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def account_records():
    return AuditRecord.objects.filter(resource_table=TABLE).order_by("id")


def seal_now() -> None:
    """Chain audit rows as they are written, as the commit would (tests/audit/conftest.py's sealed)."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS audit_auditrecord_seal IMMEDIATE")


@pytest.mark.django_db
def test_a_thousand_new_usernames_make_a_thousand_accounts_each_audited_like_a_save():
    seal_now()
    reference = Account.objects.create(username="reference")  # a save(): the record to match
    names = [f"{7000 + n}" for n in range(1000)]
    registrations_store(items=batch(names, tag="new"))

    accounts = dict(Account.objects.filter(username__in=names).values_list("username", "pk"))
    assert len(accounts) == 1000 and RegistrationBinding.objects.count() == 1000
    records = list(account_records())
    assert len(records) == 1001 and {record.action for record in records} == {"A"}
    saved, created = records[0], {record.resource_id: record for record in records[1:]}
    assert saved.statement == f"{TABLE}:id={reference.pk}:username=reference,active=True"
    for name, pk in accounts.items():
        record = created[f"id={pk}"]
        assert record.statement == f"{TABLE}:id={pk}:username={name},active=True"
        assert record.details["changes"] == {"username": [None, name], "active": [None, True]}
        assert record.details["natural_key"] == name
        assert {
            key: value for key, value in record.details.items() if key not in ("changes", "natural_key", "object")
        } == {key: value for key, value in saved.details.items() if key not in ("changes", "natural_key", "object")}
    seqs = [record.seq for record in records]
    assert None not in seqs and len(set(seqs)) == 1001
    assert chain_verify().findings == []


@pytest.mark.django_db
def test_a_known_account_is_not_created_again_and_a_deleted_one_comes_back_as_a_restore():
    Account.objects.create(username="known")
    Account.objects.create(username="gone").delete()
    registrations_store(items=batch(["known", "gone", "fresh"], tag="mix"))
    assert sorted(Account.objects.values_list("username", flat=True)) == ["fresh", "gone", "known"]
    actions = [(record.details["natural_key"], record.action) for record in account_records()]
    assert actions == [("known", "A"), ("gone", "A"), ("gone", "D"), ("fresh", "A"), ("gone", "R")]


@pytest.mark.django_db
def test_a_batch_that_fails_after_creating_its_accounts_leaves_neither_accounts_nor_records(monkeypatch):
    from registrations.services import bindings

    def broken(working):
        raise RuntimeError("disk full")

    monkeypatch.setattr(bindings, "working_write", broken)
    with pytest.raises(RuntimeError), transaction.atomic():
        registrations_store(items=batch(["5001", "5002"], tag="fail"))
    assert not Account.objects.exists() and not account_records().exists()


def _in_thread(target, *args) -> tuple[threading.Thread, list]:
    errors: list = []

    def run():
        try:
            target(*args)
        except Exception as error:  # any error: the test asserts there was none
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, errors


def _store(items, barrier=None) -> None:
    if barrier is not None:
        barrier.wait(10)
    with transaction.atomic():
        registrations_store(items=items)


@pytest.mark.django_db(transaction=True)
def test_two_batches_sharing_new_usernames_at_once_create_each_account_once():
    shared = [f"{8000 + n}" for n in range(300)]
    first = batch([*shared, *(f"{9000 + n}" for n in range(50))], tag="one")
    second = batch([*reversed(shared), *(f"{9500 + n}" for n in range(50))], tag="two")
    barrier = threading.Barrier(2)
    runs = [_in_thread(_store, first, barrier), _in_thread(_store, second, barrier)]
    for thread, _errors in runs:
        thread.join(60)
    assert [errors for _thread, errors in runs] == [[], []]
    assert Account.objects.count() == 400
    per_account = AuditRecord.objects.filter(resource_table=TABLE, action="A").values_list("resource_id", flat=True)
    assert len(per_account) == 400 and len(set(per_account)) == 400
    assert RegistrationBinding.objects.count() == 700


@pytest.mark.django_db(transaction=True)
def test_a_batch_waiting_on_another_feeds_uncommitted_accounts_uses_them_once_committed():
    """The second feed's INSERT waits on the first one's rows, skips them, and reads them afterwards."""
    holding, release = threading.Event(), threading.Event()

    def first_feed():
        with transaction.atomic():
            registrations_store(items=batch(["6001", "6002"], tag="hold"))
            holding.set()
            release.wait(30)

    first, first_errors = _in_thread(first_feed)
    assert holding.wait(30)
    second, second_errors = _in_thread(_store, batch(["6002", "6001", "6003"], tag="wait"))
    with connection.cursor() as cursor:  # until the second feed waits on the first one's lock
        for _attempt in range(600):
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            if cursor.fetchone()[0]:
                break
            threading.Event().wait(0.05)
        else:
            pytest.fail("the second feed never waited on the first one's new accounts")
    release.set()
    first.join(30)
    second.join(30)
    assert first_errors == [] and second_errors == []
    assert sorted(Account.objects.values_list("username", flat=True)) == ["6001", "6002", "6003"]
    created = AuditRecord.objects.filter(resource_table=TABLE, action="A")
    assert sorted(record.details["natural_key"] for record in created) == ["6001", "6002", "6003"]
    assert RegistrationBinding.objects.count() == 5

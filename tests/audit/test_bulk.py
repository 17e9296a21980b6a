"""Bulk paths send no model signals; the audited bulk services still record every row."""

import pytest

from audit.models import AuditRecord, ServerEvent
from audit.services import audit_bulk, audited_bulk_create, audited_update
from registrations.models import Account
from tests.audit.factories import AccountFactory
from tests.conftest import login_quietly

pytestmark = pytest.mark.django_db


def updates():
    return list(AuditRecord.objects.filter(resource_table="registrations_account", action="U").order_by("id"))


def test_audited_update_records_each_row_before_and_after():
    a = AccountFactory(username="a1", department="Sales")
    b = AccountFactory(username="a2", department="Sales")
    AccountFactory(username="a3", department="Sales", active=False)
    changed = audited_update(Account.objects.filter(username__in=["a1", "a2"]), department="Support")
    assert changed == 2
    records = updates()
    assert [r.resource_id for r in records] == [f"id={a.pk}", f"id={b.pk}"]
    assert all(r.details["changes"] == {"department": ["Sales", "Support"]} for r in records)
    # rows the update did not really change give no record
    assert audited_update(Account.objects.filter(username="a1"), department="Support") == 1
    assert len(updates()) == 2


def test_bulk_deactivation_in_the_admin_is_audited_with_events(client, superuser):
    accounts = [AccountFactory(username=f"b{n}") for n in range(3)]
    login_quietly(client, superuser)
    response = client.post(
        "/admin/registrations/account/",
        {"action": "deactivate_active", "_selected_action": [a.pk for a in accounts[:2]]},
        follow=True,
    )
    assert b"2 accounts deactivated" in response.content
    assert list(Account.objects.order_by("username").values_list("active", flat=True)) == [False, False, True]
    records = updates()
    assert [r.details["changes"] for r in records] == [{"active": [True, False]}] * 2
    assert all(r.actor_name == "root" for r in records)
    assert set(ServerEvent.objects.filter(event_type="deactivation").values_list("username", flat=True)) == {"b0", "b1"}
    moves = ServerEvent.objects.filter(event_type="status").values_list("username", "previous_status", "new_status")
    assert set(moves) == {("b0", 0, -2), ("b1", 0, -2)}


def test_audited_bulk_create_and_audit_bulk():
    created = audited_bulk_create(Account, [Account(username="c1"), Account(username="c2", department="Ops")])
    assert AuditRecord.objects.filter(resource_table="registrations_account", action="A").count() == 2
    audit_bulk(model=Account, action="U", rows={created[1].pk: {"department": ("Ops", "NOC")}})
    (record,) = updates()
    assert record.statement == f"registrations_account:id={created[1].pk}:department=NOC"


def test_queryset_delete_sends_signals_so_every_row_is_recorded():
    for n in range(3):
        AccountFactory(username=f"d{n}")
    Account.objects.filter(username__startswith="d").delete()
    assert AuditRecord.objects.filter(resource_table="registrations_account", action="D").count() == 3


def test_unaudited_models_are_refused():
    with pytest.raises(ValueError, match="not an audited model"):
        audited_update(ServerEvent.objects.all(), username="x")

"""The CDR table's index set: only what a page or a rule reads (each costs every ingested row)."""

import re

import pytest
from django.db import connection

from cdr.models import Cdr

from .factories import CdrFactory

pytestmark = pytest.mark.django_db

FIRST_LEG = "WHERE (((linkedid)::text = ''::text) OR ((uniqueid)::text = (linkedid)::text))"


def _indexes(table: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s", [table])
        return {definition.split(" USING btree ", 1)[1].replace('"', "") for (definition,) in cursor.fetchall()}


def test_the_cdr_table_keeps_only_the_indexes_the_reads_need():
    assert _indexes(Cdr._meta.db_table) == {
        "(id, start)",  # the key
        "(uniqueid, sequence, start)",  # the identity: the store's probe
        "(start, id)",  # the default order, the date range, keyset paging, retention
        "(duration, id)",  # sort by duration
        "(linkedid)",  # a call's legs
        f"(start, id) {FIRST_LEG}",  # Calls, newest first
        f"(duration, id) {FIRST_LEG}",  # Calls by duration
        "(caller_id, start, id)",  # the account filter, ON DELETE SET NULL
        "(callee_id, start, id)",
    }


@pytest.mark.parametrize("field", ["src", "dst", "disposition", "billsec"])
def test_a_column_without_an_index_still_sorts_every_row_in_order(admin_client, field):
    values = {"src": ["300", "100", "200"], "dst": ["b", "c", "a"], "billsec": [30, 10, 20]}
    values["disposition"] = [Cdr.Disposition.NO_ANSWER, Cdr.Disposition.ANSWERED, Cdr.Disposition.BUSY]
    rows = [CdrFactory(**{field: value}, duration=65) for value in values[field]]
    expected = [row.pk for row in sorted(rows, key=lambda row: (getattr(row, field), row.pk))]
    for order, wanted in ((field, expected), (f"-{field}", expected[::-1])):
        page = admin_client.get(f"/cdr/?o={order}").content.decode()
        shown = [int(pk) for pk in re.findall(r'data-pk="(\d+)"', page)]
        assert shown == wanted, order

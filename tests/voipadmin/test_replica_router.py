"""The router's rules, without a replica: where a read goes inside and outside a read scope."""

import pytest
from django.contrib.sessions.models import Session
from django.db import transaction

from cdr.models import Cdr
from voipadmin.models import Preference
from voipadmin.replica.router import ReplicaRouter, reads_on

router = ReplicaRouter()


def test_outside_a_scope_the_router_leaves_reads_to_the_default():
    assert router.db_for_read(Cdr) is None


@pytest.mark.django_db(transaction=True)
def test_inside_a_scope_reads_go_where_it_says_but_a_persons_own_state_stays_on_the_primary():
    with reads_on("replica"):
        assert router.db_for_read(Cdr) == "replica"
        assert router.db_for_read(Session) == "default"
        assert router.db_for_read(Preference) == "default"
        # a read inside a transaction on the primary may feed a write: it reads the primary
        with transaction.atomic():
            assert router.db_for_read(Cdr) == "default"
    assert router.db_for_read(Cdr) is None


def test_a_row_read_somewhere_keeps_its_related_reads_there():
    row = Cdr()
    row._state.db = "replica"
    assert router.db_for_read(Cdr, instance=row) == "replica"


def test_writes_and_migrations_are_the_primarys():
    with reads_on("replica"):
        assert router.db_for_write(Cdr) == "default"
    assert router.allow_migrate("default", "cdr") is True
    assert router.allow_migrate("replica", "cdr") is False

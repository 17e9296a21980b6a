import pytest
from django.db import transaction

from sources.cursors import cursor_advance, cursor_lock
from sources.models import SourceCursor


@pytest.mark.django_db(transaction=True)
def test_a_cursor_moves_only_with_the_transaction_that_moved_it():
    with transaction.atomic():
        cursor_advance(cursor=cursor_lock(source="demo:one"), position={"id": 10})
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        cursor_advance(cursor=cursor_lock(source="demo:one"), position={"id": 20})
        1 / 0  # noqa: B018 - the rows of this batch fail to store
    assert SourceCursor.objects.get(source="demo:one").position == {"id": 10}


@pytest.mark.django_db(transaction=True)
def test_a_cursor_is_only_read_inside_the_storing_transaction():
    with pytest.raises(RuntimeError, match="inside the transaction"):
        cursor_lock(source="demo:two")

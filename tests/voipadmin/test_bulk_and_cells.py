"""Shared pieces the conference reports added: RETURNING inserts, worded cells, empty JSON."""

import datetime

import pytest

from conferences.models import ConferenceSession
from conferences.reports import call_history
from tests.testapp.models import Probe
from voipadmin.bulk import insert_new, insert_new_returning
from voipadmin.reports import Column
from voipadmin.reports.cells import cell, display

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC)


def test_insert_new_returning_says_which_rows_were_new():
    Probe.objects.create(event_id="old", time=T0, kind="PING")
    rows = insert_new_returning(
        Probe,
        [Probe(event_id=key, time=T0, kind="PING") for key in ("old", "a", "b", "a")],
        returning=("event_id",),
    )
    assert sorted(rows) == [("a",), ("b",)]
    assert insert_new(Probe, [Probe(event_id="b", time=T0, kind="PING")]) == 0


def test_a_source_id_primary_key_is_inserted():
    made = insert_new(ConferenceSession, [ConferenceSession(session_id="S1", started_at=T0)] * 2)
    assert made == 1 and ConferenceSession.objects.get().pk == "S1"


def test_a_column_can_word_its_cell_and_empty_json_is_empty():
    ConferenceSession.objects.create(session_id="S1", started_at=T0, mode="symmetric", multicast=True)
    session = call_history.base_queryset().get()
    mode = next(column for column in call_history.columns if column.field == "mode")
    assert cell(call_history, mode, session).text == "symmetric (multicast)"
    plain = Column("mode")
    assert cell(call_history, plain, session).text == "symmetric"
    media = ConferenceSession._meta.get_field("media")
    assert display(media, {}) == ("", "empty")


def test_a_cell_renders_its_td_with_every_part_escaped():
    from voipadmin.reports.cells import Cell

    html = Cell(text="<script>x</script>", link='/a?b="c"&d', hint='say "hi" <b>', css="enum enum-U").html
    assert html == (
        '<td class="enum enum-U" title="say &quot;hi&quot; &lt;b&gt;">'
        '<a href="/a?b=&quot;c&quot;&amp;d">&lt;script&gt;x&lt;/script&gt;</a></td>'
    )
    assert Cell(text="plain").html == '<td class="">plain</td>'

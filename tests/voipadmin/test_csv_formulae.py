"""Formula neutralisation in CSV, byte for byte through COPY and through Python: blanks and invisible
characters before a formula do not hide it; a plain number (an E.164 number) is kept as it is."""

import datetime

import pytest
from django.http import QueryDict

from cdr.models import Cdr
from tests.cdr.factories import CdrFactory
from tests.testapp.models import Probe
from tests.testapp.reports import probes
from voipadmin.reports.export import export_columns, export_stream
from voipadmin.reports.filters import select
from voipadmin.reports.formulae import neutralise
from voipadmin.reports.keyset import order_queryset, parse_ordering

pytestmark = pytest.mark.django_db

NOON_UTC = datetime.datetime(2026, 7, 1, 12, tzinfo=datetime.UTC)

# (stored note, its CSV cell)
CELLS = [
    ("+39028107575", "+39028107575"),
    ("-1.5", "-1.5"),
    ("+.5", "+.5"),
    ("0039028107575", "0039028107575"),
    (" =HYPERLINK(1)", "' =HYPERLINK(1)"),
    ("\u00a0=1+1", "'\u00a0=1+1"),
    ("\u3000=1+1", "'\u3000=1+1"),
    ("\ufeff=1+1", "'\ufeff=1+1"),
    ("\u200b@SUM(1)", "'\u200b@SUM(1)"),
    ("\x0b=1", "'\x0b=1"),
    ("\x0c+1", "'\x0c+1"),
    ("\uff1dSUM(1)", "'\uff1dSUM(1)"),
    ("\u202e \u00a0-cmd", "'\u202e \u00a0-cmd"),
    ("+1\n", '"\'+1\n"'),
    ("1.2.3", "1.2.3"),
    ("+39 02 8107575", "'+39 02 8107575"),
    ("-2+3", "'-2+3"),
    ("+", "'+"),
    (" plain", " plain"),
    ("\tTAB", "'\tTAB"),
    ("=1", "'=1"),
]


@pytest.mark.parametrize("use_copy", [True, False], ids=["copy", "python"])
def test_cells_byte_for_byte(use_copy):
    Probe.objects.bulk_create(
        [
            Probe(event_id=f"f{n}", time=NOON_UTC + datetime.timedelta(seconds=n), kind="PING", note=note)
            for n, (note, _) in enumerate(CELLS)
        ]
    )
    queryset = order_queryset(select(probes, QueryDict("")).queryset, parse_ordering("time", ["time"], "time"))
    columns = [column for column in export_columns(probes, "UTC") if column.path == "note"]
    data = b"".join(
        export_stream(queryset, columns, zone_name="UTC", delimiter=",", encoding="utf-8", use_copy=use_copy)
    )
    assert data == ("Note\n" + "".join(f"{cell}\n" for _, cell in CELLS)).encode()


def test_python_rule_alone():
    assert [neutralise(note) for note, _ in CELLS if "\n" not in note] == [
        cell for note, cell in CELLS if "\n" not in note
    ]
    assert neutralise("") == "" and neutralise(None) == ""


def test_cdr_export_keeps_e164_numbers(support_client):
    CdrFactory(src="+39028107575", dst="-100", clid='"Rossi" <+39028107575>', start=NOON_UTC)
    assert Cdr.objects.count() == 1
    data = b"".join(support_client.get("/cdr/export.csv").streaming_content).decode()
    row = data.splitlines()[1]
    assert ",+39028107575," in row and ",-100," in row
    assert "'+39028107575" not in row

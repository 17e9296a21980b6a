"""The list page's table body, written by formatters set up once per request (reports/table.py):
the same HTML as the cell-by-cell template it replaced, for every report; exact cells for values
that are easy to get wrong; no query per row; the page's caches and reversed URLs."""

import datetime
import re

import pytest
from django.db import connection
from django.template import engines
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from cdr.models import Cdr
from conferences.models import Conference
from registrations.models import Account
from sip_sessions.models import SipEvent
from tests.audit.factories import ServerEventFactory, WebAccessFactory
from tests.cdr.factories import CdrFactory
from tests.conferences.factories import ChatMessageFactory, EndpointFactory, RecordingFactory, SessionFactory
from tests.conftest import login_quietly
from tests.registrations.factories import AccountFactory, BindingFactory
from tests.sip_sessions.factories import SipEventFactory
from tests.testapp.models import Probe
from voipadmin.models import Preference
from voipadmin.reports import all_reports
from voipadmin.reports.cells import cell
from voipadmin.reports.counting import recent_estimate
from voipadmin.reports.links import page_url

pytestmark = pytest.mark.django_db

TRICKY = "<b>Tom & \"Jerry\"</b> 'n' co"
ROME = "Europe/Rome"
# Rome moved its clocks from 02:00 to 03:00 on 2026-03-29 (00:59 and 01:00 UTC are two hours apart).
BEFORE_DST = datetime.datetime(2026, 3, 29, 0, 59, 30, tzinfo=datetime.UTC)
AFTER_DST = datetime.datetime(2026, 3, 29, 1, 0, 30, tzinfo=datetime.UTC)

# The loop reports/list.html had before the table body became one string: the reference.
CELL_BY_CELL = engines["django"].from_string(
    "{% for pk, cells in rows %}\n"
    "            {% url report.slug|add:':detail' pk as detail_url %}\n"
    '            <tr data-detail="{{ detail_url }}" data-pk="{{ pk }}">\n'
    '              <td class="row-detail"><a href="{{ detail_url }}" aria-label="Details" title="Open details" '
    "data-detail-link>\n"
    '                <svg class="icon" width="16" height="16" aria-hidden="true" focusable="false">'
    '<use href="#icon-details"/></svg></a></td>\n'
    "              {% for cell in cells %}{{ cell.html }}{% endfor %}\n"
    "            </tr>\n"
    "          {% endfor %}"
)


@pytest.fixture
def viewer(client, superuser):
    Preference.objects.create(user=superuser, time_zone=ROME)
    return login_quietly(client, superuser)


def every_report_has_rows() -> None:
    """Rows for every report, with markup, quotes, empty values and times on both sides of DST."""
    caller = AccountFactory(username="1100", display_name=TRICKY)
    CdrFactory(src=TRICKY, clid="", start=BEFORE_DST, caller=caller, callee=None, duration=3725, billsec=3600)
    CdrFactory(src="200", start=AFTER_DST, disposition=Cdr.Disposition.BUSY, sip_code=486, duration=0, billsec=0)
    SipEventFactory(details=TRICKY, time=BEFORE_DST, username="1100")
    SipEventFactory(time=AFTER_DST)
    BindingFactory(account=caller, user_agent=TRICKY)
    live = datetime.datetime.now(datetime.UTC)
    BindingFactory(
        account=AccountFactory(username="1101"), registered_at=live, expires_at=live + datetime.timedelta(hours=1)
    )
    WebAccessFactory(principal=TRICKY, time=BEFORE_DST)
    ServerEventFactory(username="1100", description=TRICKY, time=AFTER_DST, new_status=2, previous_status=1)
    room = Conference.objects.create(conference_id="room&1", title=TRICKY)
    session = SessionFactory(conference=room, title=TRICKY, started_at=BEFORE_DST, ended_at=AFTER_DST, owner="1100")
    SessionFactory(ended_at=None, participant_count=1234)
    ChatMessageFactory(session=session, text=TRICKY, sender="1100")
    ChatMessageFactory(session=None, recipient="1100", sender="nobody")
    RecordingFactory(session=session, original_name=TRICKY, size=123456789, duration=3725.5)
    EndpointFactory(endpoint_id="ep<1>", logged_user="1100", os=TRICKY)
    Account.objects.filter(pk=caller.pk).update(department="Sales & Support")
    Probe.objects.create(event_id="p1", time=BEFORE_DST, kind="PING", note=TRICKY, value=1234567, flag=True)
    Probe.objects.create(event_id="p2", time=AFTER_DST, kind="PING", note="", value=None)


def table_body(page: str) -> str:
    return re.search(r"<tbody>\n          (.*)\n        </tbody>", page, re.S)[1]


@pytest.mark.parametrize("report", all_reports(), ids=lambda report: report.slug)
def test_every_report_writes_the_table_the_cell_by_cell_template_wrote(viewer, superuser, report):
    every_report_has_rows()
    for query in ("", "o=" + report.sortable_fields()[-1], "page=last"):
        response = viewer.get(f"{reverse(report.url_name('list'))}?{query}")
        assert response.status_code == 200
        page = response.content.decode()
        rows = response.context["page"].rows
        assert rows, f"{report.slug} has rows"
        columns = [(column, column.title(report.model)) for column in report.listed_columns(superuser)]
        with timezone.override(ROME):
            cells = [(row.pk, [cell(report, column, row, label) for column, label in columns]) for row in rows]
            reference = CELL_BY_CELL.render({"report": report, "rows": cells})
        assert table_body(page) == reference


def cells_of(page: str, pk) -> list[str]:
    row = re.search(rf'<tr data-detail="[^"]*" data-pk="{re.escape(str(pk))}">(.*?)</tr>', page, re.S)[1]
    return re.findall(r"<td class=\"(?!row-detail).*?</td>", row, re.S)


def test_cdr_cells_escape_markup_convert_time_across_dst_and_link_accounts(viewer):
    every_report_has_rows()
    page = viewer.get("/cdr/").content.decode()
    tricky = Cdr.objects.get(start=BEFORE_DST)
    busy = Cdr.objects.get(start=AFTER_DST)
    assert cells_of(page, tricky.pk) == [
        '<td class="time" data-label="Date">2026-03-29 01:59:30</td>',
        '<td class="" data-label="Source">&lt;b&gt;Tom &amp; &quot;Jerry&quot;&lt;/b&gt; &#x27;n&#x27; co</td>',
        '<td class="" data-label="Destination">101</td>',
        '<td class="enum enum-ANSWERED" title="ANSWERED: the call was taken by the callee; as received: ANSWERED" '
        'data-label="Disposition">ANSWERED</td>',
        '<td class="number" title="3,725 s" data-label="Duration">1:02:05</td>',
        '<td class="number" title="3,600 s" data-label="Billsec">1:00:00</td>',
        '<td class="" data-label="Caller"><a href="/cdr/?account=1100">1100</a></td>',
        '<td class="empty" data-label="Callee"></td>',
        '<td class="empty" data-label="Caller ID"></td>',
        '<td class="channel" title="PJSIP/&lt;b&gt;Tom &amp; &quot;Jerry&quot;&lt;/b&gt; &#x27;n&#x27; co-0000000a" '
        'data-label="Channel">PJSIP/&lt;b&gt;Tom &amp; &quot;Jerry&quot;&lt;/b&gt; &#x27;n&#x27; co-0000000a</td>',
        '<td class="channel" title="PJSIP/101-0000000b" data-label="Destination channel">PJSIP/101-0000000b</td>',
        '<td class="" data-label="Last application">Dial</td>',
    ]
    # a minute later, an hour later on the wall clock: Rome's 02:00 to 03:00 jump lies between the calls
    assert cells_of(page, busy.pk)[0] == '<td class="time" data-label="Date">2026-03-29 03:00:30</td>'
    assert cells_of(page, busy.pk)[3] == (
        '<td class="enum enum-BUSY" title="BUSY: the callee refused the call; as received: BUSY; SIP 486" '
        'data-label="Disposition">BUSY</td>'
    )
    assert f'<tr data-detail="/cdr/{tricky.pk}/" data-pk="{tricky.pk}">' in page


def test_numbers_flags_and_empty_values(viewer):
    every_report_has_rows()
    page = viewer.get("/probes/").content.decode()
    full, empty = Probe.objects.get(event_id="p1"), Probe.objects.get(event_id="p2")
    escaped = "&lt;b&gt;Tom &amp; &quot;Jerry&quot;&lt;/b&gt; &#x27;n&#x27; co"
    assert cells_of(page, full.pk)[2:] == [
        f'<td class="" data-label="Note">{escaped}</td>',
        '<td class="number" data-label="Value">1234567</td>',
        '<td class="bool bool-yes" data-label="Flag">yes</td>',
        '<td class="" data-label="Event id">p1</td>',
    ]
    assert cells_of(page, empty.pk)[2:] == [
        '<td class="empty" data-label="Note"></td>',
        '<td class="empty" data-label="Value"></td>',
        '<td class="bool bool-no" data-label="Flag">no</td>',
        '<td class="" data-label="Event id">p2</td>',
    ]


def test_numbers_long_text_and_links_by_text_key(viewer):
    every_report_has_rows()
    page = viewer.get("/conferences/").content.decode()
    assert '<td class="number" data-label="Participants">1234</td>' in page
    session = next(row for row in viewer.get("/conferences/").context["page"].rows if row.title == TRICKY)
    escaped = "&lt;b&gt;Tom &amp; &quot;Jerry&quot;&lt;/b&gt; &#x27;n&#x27; co"
    assert f'<td class="" data-label="Session ID"><a href="/conferences/{session.pk}/">{session.pk}</a></td>' in page
    assert f'<td class="" data-label="Title">{escaped}</td>' in page
    assert (
        f'<td class="" title="room&amp;1" data-label="Conference"><a href="/conferences/?conference=room%261">'
        f"{escaped}</a></td>"
    ) in page
    recordings = viewer.get("/recordings/").content.decode()
    assert '<td class="number" title="123,456,789 bytes" data-label="Size">117.7 MB</td>' in recordings
    assert '<td class="number" title="3,725.5 s" data-label="Duration">1:02:05</td>' in recordings


def test_a_long_value_is_clipped_with_the_whole_of_it_in_the_hover(viewer):
    long = "x" * 59 + "<&>"
    SipEventFactory(details=long)
    page = viewer.get("/sip-sessions/").content.decode()
    assert (
        '<td class="clip" title="' + "x" * 59 + '&lt;&amp;&gt;" data-label="Details">'
        '<span class="clip-text">' + "x" * 59 + "&lt;&amp;&gt;</span></td>"
    ) in page


@pytest.mark.parametrize("report", all_reports(), ids=lambda report: report.slug)
def test_a_page_runs_as_many_queries_for_three_rows_as_for_one(viewer, report):
    url = reverse(report.url_name("list"))
    every_report_has_rows()
    viewer.get(url)  # caches filled: the filter bar, URLs
    with CaptureQueriesContext(connection) as few:
        assert viewer.get(url).status_code == 200
    every_report_has_rows_again()
    with CaptureQueriesContext(connection) as more:
        response = viewer.get(url)
    assert len(response.context["page"].rows) > 1
    assert len(more.captured_queries) == len(few.captured_queries), [q["sql"] for q in more.captured_queries]


def every_report_has_rows_again() -> None:
    CdrFactory.create_batch(3, caller=AccountFactory(username="1102"), callee=AccountFactory(username="1103"))
    SipEventFactory.create_batch(3, username="1102")
    now = datetime.datetime.now(datetime.UTC)
    live = {"registered_at": now, "expires_at": now + datetime.timedelta(hours=1)}
    BindingFactory(account=AccountFactory(username="1104"), **live)
    BindingFactory(account=AccountFactory(username="1105"), **live)
    WebAccessFactory.create_batch(3)
    ServerEventFactory.create_batch(3, username="1102")
    SessionFactory.create_batch(3, owner="1102")
    ChatMessageFactory.create_batch(3, sender="1102")
    RecordingFactory.create_batch(2)
    EndpointFactory.create_batch(3, logged_user="1102")
    for n in range(3):
        Probe.objects.create(event_id=f"q{n}", time=AFTER_DST, kind="PING")


def test_the_list_reads_only_the_fields_its_cells_show(viewer):
    CdrFactory(caller=AccountFactory(username="1100"))
    with CaptureQueriesContext(connection) as queries:
        viewer.get("/cdr/")
    page_query = next(
        q["sql"] for q in queries.captured_queries if 'FROM "cdr_cdr"' in q["sql"] and "LIMIT" in q["sql"]
    )
    assert '"cdr_cdr"."lastdata"' not in page_query and '"cdr_cdr"."userfield"' not in page_query
    assert '"cdr_cdr"."disposition_source"' in page_query and '"cdr_cdr"."src"' in page_query
    assert '"registrations_account"."display_name"' not in page_query


def test_a_count_past_the_cap_is_kept_a_minute_and_one_below_it_is_made_each_time(viewer, settings):
    settings.REPORT_COUNT_CAP = 3
    CdrFactory.create_batch(2)
    assert "2 rows" in viewer.get("/cdr/?size=1").content.decode()
    CdrFactory.create_batch(1)
    assert "3 rows" in viewer.get("/cdr/?size=1").content.decode()  # exact: counted again
    CdrFactory.create_batch(1)
    assert "3+ rows" in viewer.get("/cdr/?size=1").content.decode()
    Cdr.objects.filter(pk__in=Cdr.objects.values("pk")[:1]).delete()
    assert "3+ rows" in viewer.get("/cdr/?size=1").content.decode()  # kept: not counted again
    # another selection, another count
    assert "3 rows" in viewer.get("/cdr/?size=1&src=100").content.decode()


def test_the_filter_bar_is_kept_per_query_string_and_follows_the_query(viewer):
    CdrFactory.create_batch(2)
    first = viewer.get("/cdr/?src=10").content.decode()
    again = viewer.get("/cdr/?src=10").content.decode()
    other = viewer.get("/cdr/?src=99").content.decode()
    form = re.compile(r'<form class="filters".*?</form>', re.S)
    assert form.search(first)[0] == form.search(again)[0]
    assert 'name="src" value="10"' in form.search(first)[0]
    assert 'name="src" value="99"' in form.search(other)[0]


def test_the_pending_estimate_is_planned_once_a_minute():
    SipEventFactory.create_batch(2)
    pending = SipEvent.objects.filter(reconciled=False)
    first = recent_estimate(pending)
    with CaptureQueriesContext(connection) as queries:
        assert recent_estimate(pending) == first
    assert queries.captured_queries == []


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("cdr:detail", 12),
        ("cdr:detail", "12"),
        ("conferences:detail", "s00001@video.example.test"),
        ("conferences:detail", "room&1;a=b"),
        ("conferences:detail", "é unicode%20"),
        ("conferences:detail", -3),
        ("account-detail", 7),
        ("account-detail", "07"),
        ("recording-download", 5),
    ],
)
def test_a_url_filled_in_is_the_url_reverse_writes(name, key):
    assert page_url(name, key) == reverse(name, args=[key])


@pytest.mark.parametrize(("name", "key"), [("account-detail", "abc"), ("account-detail", -1), ("cdr:detail", "a/b")])
def test_a_key_the_route_refuses_is_refused_as_reverse_refuses_it(name, key):
    with pytest.raises(NoReverseMatch):
        page_url(name, key)

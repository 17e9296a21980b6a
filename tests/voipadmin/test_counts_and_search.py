"""Counts a person can trust (exact up to REPORT_COUNT_CAP, "N+" past it, never the planner's
guess) and a quick search that matches what the page shows (issue 17, items 1 and 12)."""

import pytest

from cdr.models import Cdr
from cdr.selectors import cdr_summary
from tests.audit.factories import ServerEventFactory
from tests.cdr.factories import AccountFactory, CdrFactory
from tests.sip_sessions.factories import SipEventFactory

pytestmark = pytest.mark.django_db


def count_text(response) -> str:
    page = response.content.decode()
    start = page.index("data-row-count>")
    return " ".join(page[start : page.index("</span>\n", start)].split())


def test_a_filtered_multi_page_list_shows_its_exact_count(operator_client):
    CdrFactory.create_batch(61, disposition=Cdr.Disposition.BUSY)
    CdrFactory.create_batch(4)
    response = operator_client.get("/cdr/?disposition=BUSY")
    assert len(response.context["rows"]) == 50 and response.context["links"]["next"]
    assert "61 rows" in count_text(response)
    assert "about" not in count_text(response)


def test_past_the_cap_the_count_says_n_plus(operator_client, settings):
    settings.REPORT_COUNT_CAP = 55
    CdrFactory.create_batch(61, disposition=Cdr.Disposition.BUSY)
    assert "55+ rows" in count_text(operator_client.get("/cdr/?disposition=BUSY"))
    assert "55+ rows" in count_text(operator_client.get("/cdr/"))  # the unfiltered default page too
    settings.REPORT_COUNT_CAP = 61
    assert "61 rows" in count_text(operator_client.get("/cdr/"))


def test_the_summary_strip_counts_the_calls_instead_of_more_than_the_sample():
    CdrFactory.create_batch(27)
    summary = cdr_summary(queryset=Cdr.objects.all(), rows=10, timeout_ms=1000, count_cap=100)
    assert (summary.sample, summary.calls_text, summary.exact) == (10, "27", False)
    capped = cdr_summary(queryset=Cdr.objects.all(), rows=10, timeout_ms=1000, count_cap=20)
    assert capped.calls_text == "20+"


def test_the_strip_page_shows_the_figure(operator_client, settings):
    settings.CDR_SUMMARY_ROWS = 10
    CdrFactory.create_batch(27)
    strip = operator_client.get("/cdr/summary/").content.decode()
    assert "<strong data-summary-calls>27</strong>" in strip and "more than" not in strip


def pks(response) -> list:
    return sorted(pk for pk, _ in response.context["rows"])


def test_quick_search_matches_dispositions_as_shown(operator_client):
    rossi = AccountFactory(username="rossi", display_name="Mario Rossi")
    verdi = AccountFactory(username="verdi", display_name="Anna Verdi")
    busy = CdrFactory(caller=rossi, disposition=Cdr.Disposition.BUSY)
    CdrFactory(caller=rossi, disposition=Cdr.Disposition.ANSWERED)
    answered = CdrFactory(callee=verdi, disposition=Cdr.Disposition.ANSWERED)
    CdrFactory(callee=verdi, disposition=Cdr.Disposition.NO_ANSWER)
    assert pks(operator_client.get("/cdr/?q=rossi+busy")) == [busy.pk]
    assert pks(operator_client.get("/cdr/?q=verdi+answered")) == [answered.pk]
    assert pks(operator_client.get("/cdr/?q=verdi+nosuchword")) == []


def test_quick_search_matches_transports_and_events(operator_client):
    wss = SipEventFactory(event="UNREGISTER", transport="WSS", username="1932")
    SipEventFactory(event="UNREGISTER", transport="UDP", username="1932")
    SipEventFactory(event="REGISTER", transport="WSS", username="1932")
    assert pks(operator_client.get("/sip-sessions/?q=unregister+wss")) == [wss.pk]


def test_quick_search_matches_status_words_and_flags(admin_client):
    busy = ServerEventFactory(event_type="status", previous_status=1, new_status=2, username="rossi")
    ServerEventFactory(event_type="status", previous_status=2, new_status=1, username="rossi")
    assert pks(admin_client.get("/events/?q=rossi+busy")) != []
    assert busy.pk in pks(admin_client.get("/events/?q=rossi+busy"))
    assert pks(admin_client.get("/events/?q=rossi+owner")) == []


def test_a_slow_count_says_only_what_the_page_knows_and_keeps_the_outer_timeout():
    from django.db import connection
    from django.db.models import BooleanField
    from django.db.models.expressions import RawSQL

    from voipadmin.reports.counting import capped_count

    CdrFactory.create_batch(3)
    slow = Cdr.objects.alias(slept=RawSQL("(SELECT true FROM pg_sleep(0.2))", [], BooleanField())).filter(slept=True)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = '7s'")
    count = capped_count(slow, timeout_ms=20, at_least=51)
    assert (count.value, count.exact, count.text) == (51, False, "51+ rows")
    assert capped_count(Cdr.objects.all(), timeout_ms=1000).text == "3 rows"
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "7s"

"""Call History and Endpoints filtered pages are index walks in the page's order, not a read and a
sort of every matching row (issue 16: `?mode=lecture` took 163 ms at 250,000 sessions)."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from voipadmin.reports.definition import get_report
from voipadmin.reports.filters import select
from voipadmin.reports.paging import report_page

pytestmark = pytest.mark.django_db

SESSIONS = 30_000
ENDPOINTS = 20_000


@pytest.fixture
def many_sessions(db):
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO conferences_conferencesession (session_id, conference_id, title, owner, started_at,
                ended_at, mode, multicast, participant_count, connection_count, media)
            SELECT 'S' || n, NULL, 'Meeting ' || (n %% 7), 'user' || (n %% 20), now() - make_interval(secs => n),
                now(), (ARRAY['symmetric', 'moderated', 'lecture'])[n %% 3 + 1], false, 3, 4, '{}'
            FROM generate_series(1, %s) AS n
            """,
            [SESSIONS],
        )
        cursor.execute("ANALYZE conferences_conferencesession")


@pytest.fixture
def many_endpoints(db):
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO conferences_endpoint (endpoint_id, username, logged_user, application, version, os, cpu,
                first_seen, last_seen, last_conference, network_test, system_info)
            SELECT 'E' || n, 'user' || (n %% 500), 'user' || (n %% 500),
                (ARRAY['webclient', 'TrueConf Desktop', 'ios', 'android', 'room'])[n %% 5 + 1], '5.' || (n %% 10),
                (ARRAY['Windows 11', 'macOS 15', 'Ubuntu 24.04'])[n %% 3 + 1], 'x86_64',
                now() - make_interval(days => 30), now() - make_interval(secs => n), '', '{}', '{}'
            FROM generate_series(1, %s) AS n
            """,
            [ENDPOINTS],
        )
        cursor.execute("ANALYZE conferences_endpoint")


def page_plan(slug: str, query: str) -> str:
    """The plan of the query that reads the report's page for `query`."""
    report = get_report(slug)
    params = QueryDict(query)
    user = get_user_model()(is_superuser=True)
    with CaptureQueriesContext(connection) as queries:
        page = report_page(report, report.listed_queryset(select(report, params).queryset, user), params)
    assert page.rows
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + queries.captured_queries[-1]["sql"])
        return "\n".join(line for (line,) in cursor.fetchall())


@pytest.mark.parametrize(
    ("query", "index"),
    [
        ("mode=lecture", "session_start_idx"),  # a "contains" filter: the order's index, skipping the rest
        ("mode=LECT&o=owner", "session_owner_idx"),
        ("name=meeting%205", "session_start_idx"),
        ("owner=USER7", "session_owner_start_idx"),  # exact: one range of (UPPER(owner), start, id)
        ("owner=user7&page=last", "session_owner_start_idx"),
    ],
)
def test_call_history_filters_walk_an_index_in_the_page_order(many_sessions, query, index):
    plan = page_plan("conferences", query)
    assert f"using {index} on conferences_conferencesession" in plan, plan
    assert "Sort" not in plan, plan


@pytest.mark.parametrize("query", ["application=desktop", "os=windows", "version=5.3", "username=user1"])
def test_endpoint_filters_walk_the_last_seen_index(many_endpoints, query):
    plan = page_plan("endpoints", query)
    assert "using endpoint_last_seen_idx on conferences_endpoint" in plan, plan
    assert "Sort" not in plan, plan

"""100k rows: the last page costs what the first does, and no page ever counts the table."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import WebAccess

pytestmark = pytest.mark.django_db

ROWS = 100_000


@pytest.fixture
def hundred_thousand(db):
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO audit_webaccess (time, outcome, principal, entered_login, ip, user_agent, reason)
            SELECT now() - make_interval(secs => n), CASE WHEN n %% 10 = 0 THEN 'login_failed' ELSE 'login' END,
                   'user' || (n %% 500), '', ('10.1.' || (n %% 250) || '.' || (n %% 200))::inet, 'agent', ''
            FROM generate_series(1, %s) AS n
            """,
            [ROWS],
        )
        cursor.execute("ANALYZE audit_webaccess")


def _pages(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response, [query["sql"] for query in queries.captured_queries]


@pytest.mark.parametrize(
    "url",
    [
        "/web-sessions/",
        "/web-sessions/?page=last",
        "/web-sessions/?o=principal&page=last",
        "/web-sessions/?outcome=login_failed&page=last",
        "/api/v1/web-sessions/?page=last",
    ],
)
def test_no_full_count_on_any_page(admin_client, hundred_thousand, url):
    """The only count a page runs is over a LIMITed subquery (REPORT_COUNT_CAP + 1 rows at most)."""
    _response, sqls = _pages(admin_client, url)
    counts = [sql for sql in sqls if "COUNT(" in sql.upper()]
    assert all("LIMIT 10001) subquery" in sql for sql in counts), counts


def test_last_page_shows_the_oldest_rows(admin_client, hundred_thousand):
    response, _ = _pages(admin_client, "/web-sessions/?page=last")
    oldest = list(WebAccess.objects.order_by("time", "id")[:50].values_list("pk", flat=True))
    shown = [int(pk) for pk in __import__("re").findall(r'data-pk="(\d+)"', response.content.decode())]
    assert sorted(shown) == sorted(oldest)
    assert b"10,000+ rows" in response.content  # counted up to the cap, never the planner's guess


def test_last_page_uses_the_index_not_a_scan(hundred_thousand):
    from voipadmin.reports.keyset import fetch_page, parse_ordering

    queryset = WebAccess.objects.all()
    with CaptureQueriesContext(connection) as queries:
        fetch_page(queryset, parse_ordering("-time", ["time"], "-time"), 50, last=True)
    sql = queries.captured_queries[-1]["sql"]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Scan" in plan and "Sort" not in plan, plan

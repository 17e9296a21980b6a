"""What User Monitoring shows at a page load: one page of users and the token its 2-second poll
starts from (the state counts of the selection come apart, see views.monitoring_counts)."""

import datetime
from contextlib import nullcontext
from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from .filters import MonitoringFilter
from .paging import UserPage, fetch_user_page
from .poll import poll_token
from .selectors import UserRow, in_states, needs_states_sql, ordered_rows, without_jit


@dataclass
class Wall:
    page: UserPage
    rows: list[UserRow]  # in page order
    token: datetime.datetime


def user_page(
    filterset: MonitoringFilter,
    *,
    after: str | None = None,
    before: str | None = None,
    last: bool = False,
    size: int | None = None,
) -> Wall:
    """The page after / before a cursor (the first by default, or the last) of the users the
    filters select.

    The state filter runs in the database (`in_states`), over windows of the order just wide
    enough to fill the page, and the page reads its own accounts only, so a page costs the same
    whichever it is: the accounts, their terminals and their bindings in one statement (with a
    state filter, one more for each window of the order it looks at)."""
    token = poll_token()  # before the reads: a write meanwhile is seen now or by the first poll
    now = timezone.now()
    narrow = None
    if filterset.states:

        def narrow(accounts: QuerySet) -> QuerySet:
            return in_states(accounts, filterset.states, now=now)

    def read(accounts: QuerySet, limit: int) -> list[UserRow]:
        return ordered_rows(accounts, limit, now=now)

    with without_jit() if needs_states_sql(filterset.states) else nullcontext():
        page = fetch_user_page(
            filterset.qs,
            size or settings.MONITORING_PAGE_SIZE,
            after=after,
            before=before,
            last=last,
            narrow=narrow,
            read=read,
        )
    return Wall(page=page, rows=page.rows, token=token)

"""Pages of User Monitoring: accounts in (department, surname, name, username) order, a keyset on
those four columns (the username makes it unique), so every page costs one index range.

A page also names the range of the order it covers (`lower`, `upper`, both inclusive, open at the
ends of the selection): its 2-second poll looks at that range only, so a user who starts to match
a state filter appears on the page that holds their place.
"""

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, QuerySet

from registrations.models import Account
from voipadmin.reports import FilterError
from voipadmin.reports.keyset import RowCompare

ORDER = ("department", "last_name", "first_name", "username")
Key = tuple[str, str, str, str]
Narrow = Callable[[QuerySet], QuerySet]
# (ordered queryset, limit) -> the rows of its first `limit` accounts, in its order, each with
# `account_id` and `order_key` (the values of ORDER): the page's rows read with its accounts.
Read = Callable[[QuerySet, int], list[Any]]


def encode_key(key: Key) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(key), separators=(",", ":")).encode()).decode().rstrip("=")


def decode_key(token: str, name: str) -> Key:
    """The key a page link carries, or FilterError naming the parameter: the link comes from the
    client, so anything (deeply nested JSON, a NUL PostgreSQL cannot compare) must be refused here."""
    try:
        key = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (binascii.Error, ValueError, TypeError, RecursionError):
        key = None
    if not (
        isinstance(key, list)
        and len(key) == len(ORDER)
        and all(isinstance(part, str) and "\x00" not in part for part in key)
    ):
        raise FilterError({name: ["the page link is damaged; start from the first page."]})
    return tuple(key)


def _compare(operator: str, key: Key) -> RowCompare:
    fields = [Account._meta.get_field(name) for name in ORDER]
    return RowCompare(list(ORDER), operator, list(key), fields)


def within(accounts: QuerySet, *, lower: Key | None, upper: Key | None) -> QuerySet:
    """The accounts whose place in the order is between two keys, both included (`>=`, `<=`: a
    range of the order's index; the order's columns are never NULL)."""
    if lower is not None:
        accounts = accounts.filter(_compare(">=", lower))
    if upper is not None:
        accounts = accounts.filter(_compare("<=", upper))
    return accounts


@dataclass
class UserPage:
    account_ids: list[int]  # in page order
    next_cursor: str | None
    previous_cursor: str | None
    lower: str | None  # the range the page covers, for its poll
    upper: str | None
    is_last_requested: bool = False
    rows: list[Any] = field(default_factory=list)  # what `read` returned for the page, in page order

    @property
    def is_first(self) -> bool:
        return self.previous_cursor is None


# A narrowed page (the state filter) reads the order in windows of this many pages of accounts
# before it takes the whole rest at once.
WINDOWS = (2, 8)


def _found(queryset: QuerySet, size: int, read: Read | None) -> list[tuple]:
    """(pk, key, row) of up to size + 1 accounts of an ordered queryset; the row is None with no
    `read`."""
    if read is None:
        return [(values[0], values[1:], None) for values in queryset.values_list("pk", *ORDER)[: size + 1]]
    return [(row.account_id, row.order_key, row) for row in read(queryset, size + 1)]


def _narrowed(
    selection: QuerySet, order: list, forward: bool, narrow: Narrow, size: int, read: Read | None
) -> list[tuple]:
    """Up to size + 1 accounts of `selection` that `narrow` keeps, in order, narrowing growing
    windows of the order: when most users match (a busy hour), a page costs what it shows; when few
    do, one pass over the rest."""
    ordered = selection.order_by(*order)
    for factor in (*WINDOWS, None):
        window = selection
        if factor is not None:
            edge = list(ordered.values_list(*ORDER)[factor * size - 1 : factor * size])
            if edge:
                # `<=` rather than NOT `>`: a range of the order's index, not a test of every account
                window = selection.filter(_compare("<=" if forward else ">=", edge[0]))
            else:
                factor = None  # the rest is smaller than the window
        found = _found(narrow(window).order_by(*order), size, read)
        if len(found) > size or factor is None:
            return found
    raise AssertionError("the last window is the whole rest")


def fetch_user_page(
    accounts: QuerySet,
    size: int,
    *,
    after: str | None = None,
    before: str | None = None,
    last: bool = False,
    narrow: Narrow | None = None,
    read: Read | None = None,
) -> UserPage:
    """The first page of `accounts`, the one after / before a cursor of a neighbouring page, or
    the last; with `narrow` (queryset -> the part of it to show), of what it keeps; with `read`,
    the page's rows too, read in the same statement as its accounts."""
    if after and before:
        raise FilterError({"after": ["give either 'after' or 'before', not both."]})
    forward = not (before or last)
    cursor = decode_key(after, "after") if after else decode_key(before, "before") if before else None
    selection = accounts
    if cursor is not None:
        selection = selection.filter(_compare(">" if forward else "<", cursor))
    order = [F(name).asc() if forward else F(name).desc() for name in ORDER]
    if narrow is None:
        found = _found(selection.order_by(*order), size, read)
    else:
        found = _narrowed(selection, order, forward, narrow, size, read)
    more = len(found) > size
    found = found[:size]
    if not forward:
        found.reverse()
    if not found:
        return UserPage(
            account_ids=[], next_cursor=None, previous_cursor=None, lower=None, upper=None, is_last_requested=last
        )
    first, final = encode_key(found[0][1]), encode_key(found[-1][1])
    has_previous = (cursor is not None) if forward else more
    has_next = more if forward else cursor is not None
    return UserPage(
        account_ids=[values[0] for values in found],
        next_cursor=final if has_next else None,
        previous_cursor=first if has_previous else None,
        lower=first if has_previous else None,
        upper=final if has_next else None,
        is_last_requested=last,
        rows=[row for _pk, _key, row in found] if read is not None else [],
    )

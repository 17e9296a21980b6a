"""Pages of User Monitoring: accounts in (department, surname, name, username) order, a keyset on
those four columns (the username makes it unique), so every page costs one index range.

A page also names the range of the order it covers (`lower`, `upper`, both inclusive, open at the
ends of the selection): its 2-second poll looks at that range only, so a user who starts to match
a state filter appears on the page that holds their place.
"""

import base64
import binascii
import json
from dataclasses import dataclass

from django.db.models import F, QuerySet

from registrations.models import Account
from voipadmin.reports import FilterError
from voipadmin.reports.keyset import RowCompare

ORDER = ("department", "last_name", "first_name", "username")
Key = tuple[str, str, str, str]


def encode_key(key: Key) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(key), separators=(",", ":")).encode()).decode().rstrip("=")


def decode_key(token: str, name: str) -> Key:
    try:
        key = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (binascii.Error, ValueError, TypeError):
        key = None
    if not (isinstance(key, list) and len(key) == len(ORDER) and all(isinstance(part, str) for part in key)):
        raise FilterError({name: ["the page link is damaged; start from the first page."]})
    return tuple(key)


def _compare(operator: str, key: Key) -> RowCompare:
    fields = [Account._meta.get_field(name) for name in ORDER]
    return RowCompare(list(ORDER), operator, list(key), fields)


def within(accounts: QuerySet, *, lower: Key | None, upper: Key | None) -> QuerySet:
    """The accounts whose place in the order is between two keys, both included."""
    if lower is not None:
        accounts = accounts.exclude(_compare("<", lower))
    if upper is not None:
        accounts = accounts.exclude(_compare(">", upper))
    return accounts


@dataclass
class UserPage:
    account_ids: list[int]  # in page order
    next_cursor: str | None
    previous_cursor: str | None
    lower: str | None  # the range the page covers, for its poll
    upper: str | None
    is_last_requested: bool = False

    @property
    def is_first(self) -> bool:
        return self.previous_cursor is None


def fetch_user_page(
    accounts: QuerySet, size: int, *, after: str | None = None, before: str | None = None, last: bool = False
) -> UserPage:
    """The first page of `accounts`, the one after / before a cursor of a neighbouring page, or
    the last."""
    if after and before:
        raise FilterError({"after": ["give either 'after' or 'before', not both."]})
    forward = not (before or last)
    cursor = decode_key(after, "after") if after else decode_key(before, "before") if before else None
    selection = accounts
    if cursor is not None:
        selection = selection.filter(_compare(">" if forward else "<", cursor))
    order = [F(name).asc() if forward else F(name).desc() for name in ORDER]
    found = list(selection.order_by(*order).values_list("pk", *ORDER)[: size + 1])
    more = len(found) > size
    found = found[:size]
    if not forward:
        found.reverse()
    if not found:
        return UserPage(
            account_ids=[], next_cursor=None, previous_cursor=None, lower=None, upper=None, is_last_requested=last
        )
    first, final = encode_key(found[0][1:]), encode_key(found[-1][1:])
    has_previous = (cursor is not None) if forward else more
    has_next = more if forward else cursor is not None
    return UserPage(
        account_ids=[values[0] for values in found],
        next_cursor=final if has_next else None,
        previous_cursor=first if has_previous else None,
        lower=first if has_previous else None,
        upper=final if has_next else None,
        is_last_requested=last,
    )

"""Read-your-writes: after a request that wrote (any POST/PUT/PATCH/DELETE, or a statement that
changed rows on the primary), its user's reads stay on the primary until the replica has replayed
the WAL position the primary was at when that request ended."""

from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest

from .state import reader_pin, replica_configured

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
WRITE_VERBS = ("INSERT", "UPDATE", "DELETE", "MERGE")


class WriteWatch:
    """An execute wrapper on the primary's connection: did this request change a row?"""

    def __init__(self) -> None:
        self.wrote = False

    def __call__(self, execute, sql, params, many, context):
        if not self.wrote and sql.lstrip()[:6].upper().startswith(WRITE_VERBS):
            self.wrote = True
        return execute(sql, params, many, context)


class ReadYourWritesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if not replica_configured():
            return self.get_response(request)
        watch = WriteWatch()
        with connections[DEFAULT_DB_ALIAS].execute_wrapper(watch):
            response = self.get_response(request)
        if request.method in UNSAFE_METHODS or watch.wrote:
            # The user as the request ends: a login's new user, an API client once DRF knew it.
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                reader_pin(user_id=user.pk)
        return response

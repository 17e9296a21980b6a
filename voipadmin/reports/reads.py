"""Where the report machine reads: the replica for GETs of lists, details, exports, charts and the
API, unless the person's own last write is not on it yet or it does not answer (then the primary,
and the page says so). Every read page goes through `replica_reads`; writes never do."""

import contextlib
import functools
from collections.abc import Callable, Iterator

from django.http import HttpRequest, HttpResponse

from voipadmin.replica.router import reads_on
from voipadmin.replica.state import ON_REPLICA, ReadSource, read_source_for, replica_configured

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
READ_HEADER = "X-Voipadmin-Read"


def read_header(source: ReadSource) -> str:
    """`replica`, or `primary; replica=down|pinned` (load balancers and tests read it; no secrets)."""
    return "replica" if source.state == ON_REPLICA else f"primary; replica={source.state}"


@contextlib.contextmanager
def replica_reads(request: HttpRequest) -> Iterator[ReadSource | None]:
    """Reads of the ORM inside the block go where `read_source_for` says; nothing without a replica."""
    if not replica_configured() or request.method not in SAFE_METHODS:
        yield None
        return
    user = getattr(request, "user", None)
    source = read_source_for(user_id=user.pk if user is not None and user.is_authenticated else None)
    request.read_source = source
    with reads_on(source.alias):
        yield source


def mark_response(response: HttpResponse, source: ReadSource | None) -> HttpResponse:
    if source is not None:
        response[READ_HEADER] = read_header(source)
    return response


def reads_from_replica(view: Callable) -> Callable:
    """For a read page outside the report classes (a chart, a summary strip, a detail page)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        with replica_reads(request) as source:
            return mark_response(view(request, *args, **kwargs), source)

    return wrapped


class ReplicaReadsMixin:
    """DRF: a GET reads inside the scope, opened once the client is authenticated (its pin is its
    own) and closed when the response is finalised, whatever happened in between."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self._replica_scope = contextlib.ExitStack()
        self._read_source = self._replica_scope.enter_context(replica_reads(request._request))

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        scope = getattr(self, "_replica_scope", None)
        if scope is not None:
            scope.close()
            self._replica_scope = None
            mark_response(response, self._read_source)
        return response

"""Who is acting, from where, under which correlation id: set once per request, read anywhere.

Like django-auditlog, the audit log reads the actor from here instead of having it passed by hand.
Celery tasks and management commands run with the system actor unless they bind another.
"""

import contextlib
import ipaddress
import socket
import uuid
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest


@dataclass(frozen=True)
class Actor:
    """An audit actor in the softswitch notation: kind, id, sub id, name (seed 002)."""

    kind: str  # u web user, a account, c customer, v vendor, t trusted API / system
    id: int
    sub_id: int
    name: str
    # The token user behind a trusted API actor, whose name is the client's address: kept in the
    # record's details so who pushed is not lost.
    client: str = ""

    def __str__(self) -> str:
        return f"{self.kind}:{self.id}:{self.sub_id}:{self.name}"


class RequestContext:
    """The context of one request or job; the actor is worked out only when first read."""

    def __init__(
        self,
        *,
        ip: str,
        correlation_id: str,
        user_agent: str = "",
        user=None,
        actor: Actor | None = None,
        client_correlation_id: str = "",
    ) -> None:
        self.ip = ip  # the client's address, or this node's name outside a request
        self.correlation_id = correlation_id
        # What the client sent as X-Correlation-ID: its own word, kept beside ours, never in its place.
        self.client_correlation_id = client_correlation_id
        self.user_agent = user_agent
        self.user = user if user is not None and user.is_authenticated else None
        self._actor = actor

    @property
    def actor(self) -> Actor:
        if self._actor is None:
            self._actor = actor_for_user(self.user, ip=self.ip)
        return self._actor

    @property
    def user_id(self) -> int | None:
        return self.user.pk if self.user is not None else None


def system_context() -> RequestContext:
    node = socket.gethostname()
    return RequestContext(ip=node, correlation_id=uuid.uuid4().hex, actor=Actor("t", 0, 0, node))


_current: ContextVar[RequestContext | None] = ContextVar("voipadmin_request_context", default=None)


def current() -> RequestContext:
    return _current.get() or system_context()


@contextlib.contextmanager
def bound(context: RequestContext) -> Iterator[RequestContext]:
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)


def is_trusted_proxy(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    for entry in settings.TRUSTED_PROXIES:
        try:
            if ip in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


def client_ip(request: HttpRequest) -> str:
    """The client's address: X-Forwarded-For is read only behind a trusted proxy.

    Walking the forwarded chain from the right and stopping at the first untrusted hop means a
    client cannot choose its own address by sending the header itself.
    """
    remote = request.META.get("REMOTE_ADDR", "") or "0.0.0.0"  # noqa: S104 - placeholder, never bound
    if not is_trusted_proxy(remote):
        return remote
    forwarded = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for hop in reversed([hop for hop in forwarded if hop]):
        if not is_trusted_proxy(hop):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return remote
    return remote


def actor_for_user(user, *, ip: str = "") -> Actor:
    """Web users are `u:0:<pk>:<login>`; a machine client holding an ingest token is the trusted
    API, `t:0:0:<client IP>` as seed 002 writes it, with the token's user as `client`."""
    if user is None or not user.is_authenticated:
        return Actor("u", 0, 0, "anonymous")
    if user.groups.filter(name="Ingest").exists():
        return Actor("t", 0, 0, ip or "unknown address", client=user.get_username())
    return Actor("u", 0, user.pk, user.get_username())


class ForwardedProtoMiddleware:
    """Drops `X-Forwarded-Proto` from a request that did not come through a trusted proxy.

    With TRUSTED_PROXIES set, SECURE_PROXY_SSL_HEADER makes Django believe that header; sent by a
    client straight to the server it would make plain HTTP pass for HTTPS (no redirect, secure
    cookies set over HTTP). Placed first, before SecurityMiddleware reads it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if "HTTP_X_FORWARDED_PROTO" in request.META and not is_trusted_proxy(request.META.get("REMOTE_ADDR", "")):
            del request.META["HTTP_X_FORWARDED_PROTO"]
        return self.get_response(request)


class RequestContextMiddleware:
    """Binds the request's context for the duration of the view (and of a streamed response)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        context = build_context(request)
        request.correlation_id = context.correlation_id
        with bound(context):
            response = self.get_response(request)
        response["X-Correlation-ID"] = context.correlation_id
        return response


def build_context(request: HttpRequest, user=None) -> RequestContext:
    """The request's context. The correlation id is always the console's own: a client that chose
    it could make its records pass for another request's (or collide with them); what the client
    sent in X-Correlation-ID is kept apart, printable ASCII only, at most 64 characters."""
    user = user if user is not None else getattr(request, "user", None)
    correlation = getattr(request, "correlation_id", None) or uuid.uuid4().hex
    claimed = request.META.get("HTTP_X_CORRELATION_ID", "")
    claimed = "".join(char for char in claimed if " " <= char <= "~")[:64]
    return RequestContext(
        ip=client_ip(request),
        correlation_id=correlation,
        client_correlation_id=claimed,
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:512],
        user=user,
    )


def rebind(request: HttpRequest, user) -> None:
    """After DRF has authenticated a token client, make it the actor for the rest of the view.

    The middleware's reset restores the outer value when the request ends.
    """
    _current.set(build_context(request, user))

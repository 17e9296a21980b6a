"""Health endpoints for a load balancer, unauthenticated and saying nothing but ok / unavailable:
`/healthz` (liveness: the process answers, touches nothing) and `/readyz` (readiness: the primary
database and the Celery broker answer). A replica that is down does not make a node unready (reads
fall back to the primary); readyz names its state."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import DEFAULT_DB_ALIAS, Error, connections
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu import Connection

from .replica.state import DOWN, OFF, read_source_for, replica_configured

BROKER_TIMEOUT = 2


def database_ready() -> bool:
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone()[0] == 1
    except Error:
        connections[DEFAULT_DB_ALIAS].close()
        return False


def broker_ready() -> bool:
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=BROKER_TIMEOUT, transport_options=options) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=BROKER_TIMEOUT)
            return True
    except Exception:  # any failure of any transport is "not ready"; its text may hold a password
        return False


def replica_state() -> str:
    if not replica_configured():
        return OFF
    return "down" if read_source_for(user_id=None).state == DOWN else "ok"


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@login_not_required
@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    checks = {
        "database": "ok" if database_ready() else "unavailable",
        "broker": "ok" if broker_ready() else "unavailable",
    }
    ready = all(state == "ok" for state in checks.values())
    body = {"status": "ok" if ready else "unavailable", **checks, "replica": replica_state()}
    return JsonResponse(body, status=200 if ready else 503)

"""Where a person's reads may go now: the replica's health and lag, and the pins that keep a
person on the primary until the replica has replayed their last write (by WAL position).

A pin is the primary's `pg_current_wal_lsn()` after the person's write committed, kept in the
cache under the user's id (every gunicorn worker and host sees it: the cache is Redis). A read
scope asks the replica for `pg_last_wal_replay_lsn()`; once it has passed the pin, the pin goes.
"""

import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, Error, connections

logger = logging.getLogger(__name__)

ON_REPLICA = "replica"
PINNED = "pinned"  # the person's own change is not on the replica yet
DOWN = "down"  # the replica does not answer: reads fell back to the primary
OFF = "off"  # no replica configured

_PROBE_SQL = """
SELECT pg_is_in_recovery(),
       pg_last_wal_replay_lsn()::text,
       CASE WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0
            ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) END,
       (NOT pg_is_in_recovery()) OR %s::pg_lsn IS NULL OR pg_last_wal_replay_lsn() >= %s::pg_lsn
"""

# Per process: until when (time.monotonic()) a replica found down is not asked again.
_down_until = 0.0


@dataclass(frozen=True)
class ReadSource:
    alias: str
    state: str
    lag_seconds: float | None = None
    replay_lsn: str | None = None


def replica_configured() -> bool:
    return settings.REPLICA_ALIAS in settings.DATABASES


def _pin_key(user_id: int) -> str:
    return f"voipadmin:replica-pin:{user_id}"


def primary_wal_lsn() -> str:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        return cursor.fetchone()[0]


def reader_pin(*, user_id: int | None) -> str | None:
    """Keep this user's reads on the primary until the replica has replayed what they wrote so far."""
    if user_id is None or not replica_configured():
        return None
    lsn = primary_wal_lsn()
    cache.set(_pin_key(user_id), lsn, timeout=settings.REPLICA_PIN_SECONDS)
    return lsn


def _mark_down(error: Exception) -> None:
    global _down_until
    _down_until = time.monotonic() + settings.REPLICA_RETRY_SECONDS
    logger.warning("read replica unavailable, reading from the primary: %s", error.__class__.__name__)
    # A broken persistent connection would fail the next probe the same way; reconnect then.
    connections[settings.REPLICA_ALIAS].close()


def read_source_for(*, user_id: int | None) -> ReadSource:
    """The replica when it answers and has replayed the user's pin; the primary otherwise."""
    if not replica_configured():
        return ReadSource(alias=DEFAULT_DB_ALIAS, state=OFF)
    if time.monotonic() < _down_until:
        return ReadSource(alias=DEFAULT_DB_ALIAS, state=DOWN)
    pin = cache.get(_pin_key(user_id)) if user_id is not None else None
    try:
        with connections[settings.REPLICA_ALIAS].cursor() as cursor:
            cursor.execute(_PROBE_SQL, [pin, pin])
            _recovering, replay_lsn, lag, caught_up = cursor.fetchone()
    except Error as error:
        _mark_down(error)
        return ReadSource(alias=DEFAULT_DB_ALIAS, state=DOWN)
    lag_seconds = float(lag) if lag is not None else None
    if not caught_up:
        return ReadSource(alias=DEFAULT_DB_ALIAS, state=PINNED, lag_seconds=lag_seconds, replay_lsn=replay_lsn)
    # A passed pin is left to expire: deleting it could drop a newer one set meanwhile.
    return ReadSource(alias=settings.REPLICA_ALIAS, state=ON_REPLICA, lag_seconds=lag_seconds, replay_lsn=replay_lsn)


def replica_lag_bytes(replay_lsn: str | None) -> int | None:
    """How far (bytes of WAL) the replica's replay is behind the primary: for the admins' footer."""
    if replay_lsn is None:
        return None
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), %s::pg_lsn)::bigint", [replay_lsn])
        return cursor.fetchone()[0]

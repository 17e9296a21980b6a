"""Login lockout: N failed logins for a login name lock it for a cool-off time (seed 001 lock/unlock).

Every attempt first claims a place in the count with one atomic upsert (INSERT ... ON CONFLICT DO
UPDATE ... RETURNING), before the password is checked. Attempts whose place is beyond the
threshold are refused without checking the password, so however many arrive at once at most
LOGIN_LOCKOUT_THRESHOLD passwords get checked per lock period; the first of them sets the lock
in that same upsert, so a count beyond the threshold always comes with a lock. The key is the login name as
typed (casefolded), never the client address, so changing X-Forwarded-For changes nothing.
"""

import datetime
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from voipadmin.console_settings import console_setting
from voipadmin.request_context import Actor

from ..models import AuditAction, LoginLockout, ServerEvent
from .records import audit_record, server_event

TABLE = LoginLockout._meta.db_table


def lockout_key(username: str) -> str:
    return str(username).strip().casefold()[:150]


def threshold() -> int:
    return max(1, int(console_setting("LOGIN_LOCKOUT_THRESHOLD")))


def cooloff() -> datetime.timedelta:
    return datetime.timedelta(seconds=int(console_setting("LOGIN_LOCKOUT_COOLOFF")))


@dataclass(frozen=True)
class Claim:
    """One login attempt's place in the count."""

    username: str
    attempt: int
    locked_until: datetime.datetime | None
    auto_unlocked: bool

    @property
    def refused(self) -> bool:
        """Beyond the threshold, or still locked: the password is not even checked."""
        return self.attempt > threshold() or self.locked_until is not None

    def retry_after(self) -> int:
        """Seconds until the lock ends (at most the cool-off, also while the lock is being set)."""
        if self.locked_until is None:
            return int(cooloff().total_seconds())
        return max(1, int((self.locked_until - timezone.now()).total_seconds()))


def lockout_claim(*, username: str) -> Claim:
    """Count one attempt for `username`, atomically; an expired lock is lifted (and recorded) first.

    The attempt one beyond the threshold sets the lock itself, in the same upsert: if the worker
    whose attempt reached the threshold died before checking the password, the name is locked
    (and recorded) all the same instead of refused for ever with no lock. `lock_attempt = failures`
    in the returned row says this very claim set it, so the lock is recorded once.
    """
    key = lockout_key(username)
    now = timezone.now()
    lock_now = "l.locked_until IS NULL AND l.failures + 1 > %(threshold)s"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {TABLE} AS l (username, failures, updated_at) VALUES (%(key)s, 1, %(now)s)
            ON CONFLICT (username) DO UPDATE SET
                failures = CASE WHEN l.locked_until <= %(now)s THEN 1 ELSE l.failures + 1 END,
                unlocked_at = CASE WHEN l.locked_until <= %(now)s THEN %(now)s ELSE l.unlocked_at END,
                locked_until = CASE
                    WHEN l.locked_until <= %(now)s THEN NULL
                    WHEN {lock_now} THEN %(until)s
                    ELSE l.locked_until END,
                locked_at = CASE WHEN {lock_now} THEN %(now)s ELSE l.locked_at END,
                lock_attempt = CASE WHEN {lock_now} THEN l.failures + 1 ELSE l.lock_attempt END,
                updated_at = %(now)s
            RETURNING failures, locked_until, unlocked_at = %(now)s,
                locked_until IS NOT NULL AND lock_attempt = failures
            """,
            {"key": key, "now": now, "until": now + cooloff(), "threshold": threshold()},
        )
        attempt, locked_until, auto_unlocked, locked_here = cursor.fetchone()
        claim = Claim(username=key, attempt=attempt, locked_until=locked_until, auto_unlocked=bool(auto_unlocked))
        if claim.auto_unlocked:
            _record_unlock(key, reason="the lock timed out", actor=None, failures=None)
        if locked_here:
            _record_lock(key, failures=attempt, until=locked_until, reason=f"{attempt} login attempts")
    return claim


def lockout_failed(*, claim: Claim) -> bool:
    """The password was wrong: lock when this attempt reached the threshold; True if it locked now."""
    if claim.attempt < threshold():
        return False
    now = timezone.now()
    until = now + cooloff()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {TABLE} SET locked_until = %s, locked_at = %s, lock_attempt = failures, updated_at = %s "
            "WHERE username = %s AND locked_until IS NULL AND failures >= %s RETURNING failures",
            [until, now, now, claim.username, threshold()],
        )
        row = cursor.fetchone()
        if row is None:
            return False  # already locked, by a claim beyond the threshold
        _record_lock(claim.username, failures=row[0], until=until, reason=f"{row[0]} failed logins")
    return True


def _record_lock(key: str, *, failures: int, until: datetime.datetime, reason: str) -> None:
    server_event(
        event_type=ServerEvent.EventType.LOCK,
        username=key,
        entered_login=key,
        success=True,
        description=f"locked after {reason} until {until:%Y-%m-%d %H:%M:%S} UTC",
        details={"failures": failures, "locked_until": until.isoformat()},
    )
    audit_record(
        action=AuditAction.UPDATE,
        table=TABLE,
        key={"username": key},
        fields={"locked_until": until.isoformat()},
        changes={"locked_until": (None, until.isoformat())},
        details={"object": f"login lockout {key}", "reason": reason},
        actor=Actor("u", 0, 0, key),
    )


def lockout_succeeded(*, claim: Claim) -> None:
    """The password was right: the count starts again."""
    LoginLockout.objects.filter(username=claim.username, locked_until__isnull=True).update(
        failures=0, updated_at=timezone.now()
    )


def lockout_unlock(*, username: str) -> bool:
    """An administrator lifts a lock (or clears a count); True if there was a lock to lift."""
    key = lockout_key(username)
    with transaction.atomic():
        row = LoginLockout.objects.select_for_update().filter(username=key).first()
        if row is None or (row.locked_until is None and row.failures == 0):
            return False
        was_locked = row.locked_until is not None
        failures = row.failures
        LoginLockout.objects.filter(pk=row.pk).update(
            failures=0, locked_until=None, unlocked_at=timezone.now(), updated_at=timezone.now()
        )
        if was_locked:
            _record_unlock(key, reason="unlocked by an administrator", actor=None, failures=failures)
    return was_locked


def _record_unlock(key: str, *, reason: str, actor: Actor | None, failures: int | None) -> None:
    server_event(
        event_type=ServerEvent.EventType.UNLOCK,
        username=key,
        description=reason,
        details={"failures": failures} if failures is not None else {},
    )
    audit_record(
        action=AuditAction.UPDATE,
        table=TABLE,
        key={"username": key},
        fields={"locked_until": ""},
        changes={"locked_until": ("locked", None)},
        details={"object": f"login lockout {key}", "reason": reason},
        actor=actor,
    )


def lockouts_expire(*, now: datetime.datetime | None = None) -> int:
    """Lift the locks whose cool-off has passed (beat): each gets its unlock event once.

    Also forgets counts nobody added to for a cool-off period, so probing many names does not
    grow the table for ever.
    """
    now = now or timezone.now()
    lifted = 0
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {TABLE} SET failures = 0, locked_until = NULL, unlocked_at = %s, updated_at = %s "
                "WHERE locked_until <= %s RETURNING username",
                [now, now, now],
            )
            names = [name for (name,) in cursor.fetchall()]
        for name in names:
            _record_unlock(name, reason="the lock timed out", actor=None, failures=None)
            lifted += 1
        LoginLockout.objects.filter(locked_until__isnull=True, updated_at__lt=now - cooloff()).delete()
    return lifted

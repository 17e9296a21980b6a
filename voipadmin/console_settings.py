"""Settings the manuals put in the console (seeds 001, 003/004): an Administrator changes them on
the Settings page; the environment variable of the same name is the default.

The code that used the environment setting asks `console_setting(NAME)`. The rows an Administrator
saved are read once into the cache (Django's cache: Redis when REDIS_URL is set) and kept there
`CACHE_SECONDS`, and each process keeps its copy `LOCAL_SECONDS` more; a change clears both, so
the next read in that process sees it and other processes within a second (with the local-memory
cache, within `CACHE_SECONDS`). A setting without a row reads
`django.conf.settings` at call time. Every change is one audit record, shown in Configuration
Changes with the value before and after.
"""

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

CACHE_KEY = "voipadmin:console-settings:v1"
CACHE_SECONDS = 30
# Each process also keeps what it read this long, so a storm of reads costs no cache round trip.
LOCAL_SECONDS = 1.0
_local: dict[str, Any] = {"until": 0.0, "saved": None}
DIAGNOSTICS_LEVELS = (
    ("none", "none: time, type and summary"),
    ("headers", "headers: + addresses, contact, user agent, dispositions"),
    ("full", "full: + details text, every CDR field, the pushed payload"),
)


@dataclass(frozen=True)
class SettingSpec:
    """One console setting: `key` is also its environment variable and Django setting."""

    key: str
    label: str
    section: str
    kind: str  # int, bool, choice
    help: str = ""
    minimum: int | None = None
    maximum: int | None = None
    choices: tuple[tuple[str, str], ...] = ()

    def valid(self, value: Any) -> bool:
        if self.kind == "bool":
            return isinstance(value, bool)
        if self.kind == "choice":
            return value in {code for code, _label in self.choices}
        if isinstance(value, bool) or not isinstance(value, int):
            return False
        return (self.minimum is None or value >= self.minimum) and (self.maximum is None or value <= self.maximum)

    @property
    def default(self) -> Any:
        return getattr(settings, self.key)


SPECS = (
    SettingSpec(
        "LOGIN_LOCKOUT_THRESHOLD",
        "Failed logins that lock a login",
        "Account blocking",
        "int",
        "A login name is locked after this many wrong passwords in a row (event lock).",
        minimum=1,
        maximum=1000,
    ),
    SettingSpec(
        "LOGIN_LOCKOUT_COOLOFF",
        "Seconds a lock lasts",
        "Account blocking",
        "int",
        "Then the login is unlocked by itself (event unlock); an administrator can lift it sooner.",
        minimum=1,
        maximum=30 * 86400,
    ),
    SettingSpec(
        "RECORDING_MAX_UPLOAD_BYTES",
        "Largest recording stored (bytes)",
        "Recordings",
        "int",
        "A recording uploaded above this size is refused (413) and not stored.",
        minimum=1,
        maximum=2**62,
    ),
    SettingSpec(
        "RECORDING_RETENTION_DAYS",
        "Delete recordings older than (days)",
        "Recordings",
        "int",
        "The hourly task deletes them (event delete_video_recordings); 0 keeps every recording.",
        minimum=0,
        maximum=36500,
    ),
    SettingSpec(
        "ENDPOINT_RETENTION_DAYS",
        "Keep endpoints seen in the last (days)",
        "Endpoints",
        "int",
        "What “Delete old endpoints…” proposes: endpoints not seen for longer are deleted.",
        minimum=1,
        maximum=36500,
    ),
    SettingSpec(
        "MONITORING_DIAGNOSTICS_ENABLED",
        "Diagnostics on",
        "Diagnostics",
        "bool",
        "Off: the diag button and the diagnostics page of User Monitoring say diagnostics are off.",
    ),
    SettingSpec(
        "MONITORING_DIAGNOSTICS_DETAIL",
        "Detail of the package dump",
        "Diagnostics",
        "choice",
        "How much of each entry the diagnostics page shows.",
        choices=DIAGNOSTICS_LEVELS,
    ),
)
SPECS_BY_KEY = {spec.key: spec for spec in SPECS}


def _saved() -> dict[str, Any]:
    """The values Administrators saved: this process's copy of the last second, else the cache,
    else one query."""
    now = time.monotonic()
    if _local["saved"] is not None and now < _local["until"]:
        return _local["saved"]
    saved = cache.get(CACHE_KEY)
    if saved is None:
        from .models import ConsoleSetting

        saved = dict(ConsoleSetting.objects.values_list("key", "value"))
        cache.set(CACHE_KEY, saved, CACHE_SECONDS)
    _local.update(saved=saved, until=now + LOCAL_SECONDS)
    return saved


def console_setting(key: str) -> Any:
    """The effective value: what an Administrator saved, else the environment's (settings)."""
    spec = SPECS_BY_KEY[key]
    saved = _saved()
    if key in saved and spec.valid(saved[key]):
        return saved[key]
    return spec.default


def console_settings_forget() -> None:
    """Drop the cached values (after a change, and between tests)."""
    _local.update(saved=None, until=0.0)
    cache.delete(CACHE_KEY)


def console_settings_update(*, values: Mapping[str, Any], user) -> list[str]:
    """Save the settings whose value differs from the effective one; returns the keys changed.

    Each change is an audit record (action U, the setting as parameter, before -> after).
    Raises ValueError naming a setting that does not exist or a value it cannot take.
    """
    from audit.services import audit_record

    from .models import ConsoleSetting

    for key, value in values.items():
        spec = SPECS_BY_KEY.get(key)
        if spec is None:
            raise ValueError(f"{key}: no such setting")
        if not spec.valid(value):
            raise ValueError(f"{key}: {value!r} is not a value this setting takes")
    changed = []
    with transaction.atomic():
        rows = {row.key: row for row in ConsoleSetting.objects.select_for_update().filter(key__in=list(values))}
        for key, value in values.items():
            spec = SPECS_BY_KEY[key]
            row = rows.get(key)
            before = row.value if row is not None and spec.valid(row.value) else spec.default
            if before == value:
                continue
            if row is None:
                row = ConsoleSetting(key=key)
            row.value, row.updated_by = value, user
            row.save()
            audit_record(
                action="U",
                table=ConsoleSetting._meta.db_table,
                key={"key": key},
                fields={key: value},
                changes={key: (before, value)},
                details={"object": f"console setting {spec.label}", "section": spec.section},
            )
            changed.append(key)
        if changed:
            console_settings_forget()
            transaction.on_commit(console_settings_forget)
    return changed

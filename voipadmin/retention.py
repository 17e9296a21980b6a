"""Keeping the growing tables to their configured age: whole months dropped, the rest trimmed."""

import datetime

from django.conf import settings
from django.utils import timezone

from .partitions import delete_older_than, drop_months_before, ensure_partitions, partitioned_models


def partitions_ahead(months: int = 2) -> dict[str, int]:
    """Create this month's and the next months' partitions for every partitioned model."""
    now = timezone.now()
    end = now + datetime.timedelta(days=31 * months)
    return {model._meta.label: ensure_partitions(model, now, end) for model in partitioned_models()}


def retention_apply(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Apply RETENTION_DAYS to every partitioned model; returns rows removed per model.

    Each model that lost rows gets one server event of its own delete_* type with the count.
    """
    from audit.services import server_event

    now = now or timezone.now()
    removed: dict[str, int] = {}
    for model in partitioned_models():
        days = settings.RETENTION_DAYS.get(model._meta.label, 0)
        if not days:
            continue
        cutoff = now - datetime.timedelta(days=days)
        dropped = drop_months_before(model, cutoff)
        count = sum(rows for _name, rows in dropped) + delete_older_than(model, cutoff)
        removed[model._meta.label] = count
        if dropped and hasattr(model, "after_retention"):
            model.after_retention(cutoff)  # a dropped partition fires no trigger: its summary follows
        if count:
            server_event(
                event_type=model.retention_event,
                deleted_count=count,
                description=f"retention: {model._meta.verbose_name_plural} older than {days} days",
                details={"cutoff": cutoff.isoformat(), "partitions_dropped": [name for name, _ in dropped]},
            )
    return removed

from celery import shared_task
from django.conf import settings

from cdr.services.asterisk_csv import zone_named

from .asterisk_db import CdrDbFollower, CdrTable, connect, source_name

# What this worker process stored of each table lately, kept between beat's runs: rows of the
# lookback window are then passed over without a look at the console's table.
_RECENT: dict[str, dict] = {}


@shared_task(name="sources.tasks.follow_asterisk_cdr_db")
def follow_asterisk_cdr_db() -> dict:
    """Beat's look at Asterisk's CDR table (ASTERISK_CDR_DB_URL): store what is new. Two at once
    take turns on the cursor's row lock, and the store's identity rule makes a repeat a no-op."""
    url, table = settings.ASTERISK_CDR_DB_URL, settings.ASTERISK_CDR_DB_TABLE
    zone = zone_named(settings.ASTERISK_CDR_DB_TIMEZONE or settings.TIME_ZONE)
    connection = connect(url)
    try:
        source = source_name(url, table)
        recent = _RECENT.setdefault(source, {})
        follower = CdrDbFollower(table=CdrTable(connection, table), source=source, zone=zone, recent=recent)
        outcome = follower.poll()
    finally:
        connection.close()
    return {"read": outcome.read, "created": outcome.created, "problems": len(outcome.problems)}

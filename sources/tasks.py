from celery import shared_task
from django.conf import settings
from django.utils import timezone

from cdr.services.asterisk_csv import zone_named

from .asterisk_db import CdrDbFollower, CdrTable, connect, source_name
from .demo import demo_enabled
from .demo import demo_tick as play_demo_tick

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


@shared_task(ignore_result=True)
def demo_tick() -> str:
    """Beat's tick of the demo source (scheduled only with DEMO=1 and DEBUG=1; refuses otherwise)."""
    if not demo_enabled():
        return "the demo source is off (DEMO=1 needs DEBUG=1)"
    return play_demo_tick(now=timezone.now()).text

from celery import shared_task
from django.conf import settings

from cdr.services.asterisk_csv import zone_named

from .asterisk_db import CdrDbFollower, CdrTable, connect, source_name


@shared_task(name="sources.tasks.follow_asterisk_cdr_db")
def follow_asterisk_cdr_db() -> dict:
    """Beat's look at Asterisk's CDR table (ASTERISK_CDR_DB_URL): store what is new. Two at once
    take turns on the cursor's row lock, and the store's identity rule makes a repeat a no-op."""
    url, table = settings.ASTERISK_CDR_DB_URL, settings.ASTERISK_CDR_DB_TABLE
    zone = zone_named(settings.ASTERISK_CDR_DB_TIMEZONE or settings.TIME_ZONE)
    connection = connect(url)
    try:
        follower = CdrDbFollower(table=CdrTable(connection, table), source=source_name(url, table), zone=zone)
        outcome = follower.poll()
    finally:
        connection.close()
    return {"read": outcome.read, "created": outcome.created, "problems": len(outcome.problems)}

"""Two indexes of the SIP event log go: Event and a second username index.

Each cost every ingested row and every reconciliation UPDATE a write (docs/sip-and-registrations.md
says which sorts and filters now read the date range's partitions instead). Dropping an index of
the partitioned table drops it from every partition.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("sip_sessions", "0001_initial"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="sipevent", name="sipevent_event_idx"),
        migrations.RemoveIndex(model_name="sipevent", name="sipevent_user_time_idx"),
    ]

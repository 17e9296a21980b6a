"""The owner filter's index in the default order, and the planner's statistics of what the
"contains" filters of Call History and Endpoints compare.

A filter such as `?mode=lecture` is `UPPER(mode) LIKE UPPER('%lecture%')`: no B-tree can serve it,
and with no statistics of `UPPER(mode)` the planner guessed 2 matching rows of 250,000, so it read
every matching row, joined each to its conference and sorted them all (128 ms), where walking the
order's index and skipping the other modes stops after 155 rows (0.24 ms). Statistics on an
expression cost nothing on insert (ANALYZE computes them with the table's own, whoever runs it:
the console's analyze task or autovacuum); an index on it would cost every insert an entry.
"""

import django.db.models.functions.text
from django.db import migrations, models

# (statistics object, table, column): PostgreSQL's statistics of UPPER(column).
STATISTICS = [
    ("session_mode_upper_stat", "conferences_conferencesession", "mode"),
    ("session_name_upper_stat", "conferences_conferencesession", "name"),
    ("endpoint_application_upper_stat", "conferences_endpoint", "application"),
    ("endpoint_version_upper_stat", "conferences_endpoint", "version"),
    ("endpoint_os_upper_stat", "conferences_endpoint", "os"),
    ("endpoint_username_upper_stat", "conferences_endpoint", "username"),
    ("endpoint_logged_user_upper_stat", "conferences_endpoint", "logged_user"),
]


def create_statistics(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    quote = schema_editor.quote_name
    for name, table, column in STATISTICS:
        schema_editor.execute(f"CREATE STATISTICS {quote(name)} ON (UPPER({quote(column)}::text)) FROM {quote(table)}")
    for table in dict.fromkeys(table for _name, table, _column in STATISTICS):
        schema_editor.execute(f"ANALYZE {quote(table)}")


def drop_statistics(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in STATISTICS:
        schema_editor.execute(f"DROP STATISTICS IF EXISTS {schema_editor.quote_name(name)}")


class Migration(migrations.Migration):
    dependencies = [
        ("conferences", "0003_recording_started_at"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="conferencesession",
            index=models.Index(
                django.db.models.functions.text.Upper("owner"),
                models.F("started_at"),
                models.F("session_id"),
                name="session_owner_start_idx",
            ),
        ),
        migrations.RunPython(create_statistics, drop_statistics),
    ]

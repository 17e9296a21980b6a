"""Celery: Redis when CELERY_BROKER_URL is set, else a folder-based broker that needs no server."""

from datetime import timedelta

from kombu import Exchange, Queue

from .base import DEMO_INTERVAL, DEMO_SOURCE, VAR_DIR
from .environment import env_bool, env_int, env_str

CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or "filesystem://"
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(VAR_DIR / "broker"),
        "data_folder_out": str(VAR_DIR / "broker"),
        "control_folder": str(VAR_DIR / "broker-control"),
    }
    if CELERY_BROKER_URL.startswith("filesystem")
    else {}
)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# Named queues, so each kind of work can have its own workers and hosts (docs/deployment.md):
# ingest-side work, report jobs (filtered deletes, large exports), maintenance (reconciliation,
# partitions, retention). A worker started without -Q consumes every queue below (`make run`).
INGEST_QUEUE, REPORTS_QUEUE, MAINTENANCE_QUEUE = "ingest", "reports", "maintenance"
CELERY_TASK_DEFAULT_QUEUE = "celery"
# Each queue bound by its own routing key: one message reaches one queue.
CELERY_TASK_QUEUES = [
    Queue(name, Exchange("celery", type="direct"), routing_key=name)
    for name in ("celery", INGEST_QUEUE, REPORTS_QUEUE, MAINTENANCE_QUEUE)
]
CELERY_TASK_ROUTES = {
    # Source adapters' and ingest tasks, by name pattern, wherever an app adds one.
    "sources.tasks.*": {"queue": INGEST_QUEUE},
    "*.tasks.ingest_*": {"queue": INGEST_QUEUE},
    "*.tasks.deliver_*": {"queue": INGEST_QUEUE},
    "voipadmin.tasks.run_deletion": {"queue": REPORTS_QUEUE},
    "*.tasks.export_*": {"queue": REPORTS_QUEUE},
    "sip_sessions.tasks.reconcile_events": {"queue": MAINTENANCE_QUEUE},
    "sip_sessions.tasks.vacuum_events": {"queue": MAINTENANCE_QUEUE},
    "voipadmin.tasks.maintain_partitions": {"queue": MAINTENANCE_QUEUE},
    "voipadmin.tasks.analyze_tables": {"queue": MAINTENANCE_QUEUE},
    "cdr.tasks.vacuum_claims": {"queue": MAINTENANCE_QUEUE},
    "conferences.tasks.delete_expired_recordings": {"queue": MAINTENANCE_QUEUE},
    "monitoring.tasks.trim_terminal_history": {"queue": MAINTENANCE_QUEUE},
    "audit.tasks.expire_login_lockouts": {"queue": MAINTENANCE_QUEUE},
    "registrations.tasks.expire_bindings": {"queue": MAINTENANCE_QUEUE},
    "voipadmin.tasks.sweep_deletions": {"queue": MAINTENANCE_QUEUE},
    "cdr.tasks.compact_rollup": {"queue": MAINTENANCE_QUEUE},
}

PARTITION_MAINTENANCE_INTERVAL = env_int("PARTITION_MAINTENANCE_INTERVAL", 3600)

CELERY_BEAT_SCHEDULE = {
    "maintain-partitions": {
        "task": "voipadmin.tasks.maintain_partitions",
        "schedule": timedelta(seconds=PARTITION_MAINTENANCE_INTERVAL),
    },
}

# The console's own ANALYZE (voipadmin/table_statistics.py): a table whose rows changed by more than
# ANALYZE_THRESHOLD + ANALYZE_SCALE_PERCENT % of its rows since its last ANALYZE is analyzed
# (autovacuum's rule and defaults), so the planner has statistics where autovacuum is off.
ANALYZE_INTERVAL = env_int("ANALYZE_INTERVAL", 300)
ANALYZE_THRESHOLD = env_int("ANALYZE_THRESHOLD", 50)
ANALYZE_SCALE_PERCENT = env_int("ANALYZE_SCALE_PERCENT", 10)
CELERY_BEAT_SCHEDULE["analyze-tables"] = {
    "task": "voipadmin.tasks.analyze_tables",
    "schedule": timedelta(seconds=ANALYZE_INTERVAL),
}

# cdr: the claims each stored batch leaves dead (cdr.models.CdrClaim) made reusable by VACUUM
CELERY_BEAT_SCHEDULE["vacuum-cdr-claims"] = {
    "task": "cdr.tasks.vacuum_claims",
    "schedule": timedelta(seconds=env_int("CDR_CLAIMS_VACUUM_INTERVAL", 60)),
}

# conferences: recording retention (RECORDING_RETENTION_DAYS), checked hourly
CELERY_BEAT_SCHEDULE["delete-expired-recordings"] = {
    "task": "conferences.tasks.delete_expired_recordings",
    "schedule": timedelta(seconds=env_int("RECORDING_RETENTION_INTERVAL", 3600)),
}

# audit: lift timed-out login locks (each gets its unlock event) and forget stale counts.
CELERY_BEAT_SCHEDULE["expire-login-lockouts"] = {
    "task": "audit.tasks.expire_login_lockouts",
    "schedule": timedelta(seconds=env_int("LOGIN_LOCKOUT_SWEEP_INTERVAL", 60)),
}

# cdr: fold the chart rollup's rows of differences (cdr.rollup), one row per 15 minutes and disposition
CELERY_BEAT_SCHEDULE["compact-cdr-rollup"] = {
    "task": "cdr.tasks.compact_rollup",
    "schedule": timedelta(seconds=env_int("CDR_ROLLUP_COMPACT_INTERVAL", 60)),
}

# sip_sessions: seconds between beat runs of reconciliation
RECONCILE_INTERVAL = env_int("RECONCILE_INTERVAL", 60)
CELERY_BEAT_SCHEDULE["reconcile-sip-events"] = {
    "task": "sip_sessions.tasks.reconcile_events",
    "schedule": timedelta(seconds=RECONCILE_INTERVAL),
}

# sip_sessions: VACUUM of the partitions whose dead row versions (each event reconciliation bound
# leaves one) pass autovacuum's rule (sip_sessions/statistics.py), checked with the ANALYZE
CELERY_BEAT_SCHEDULE["vacuum-sip-events"] = {
    "task": "sip_sessions.tasks.vacuum_events",
    "schedule": timedelta(seconds=ANALYZE_INTERVAL),
}

# registrations: bindings whose expiry passed with no event end there, reason "expired"
CELERY_BEAT_SCHEDULE["expire-registration-bindings"] = {
    "task": "registrations.tasks.expire_bindings",
    "schedule": timedelta(seconds=env_int("REGISTRATION_EXPIRY_SWEEP_INTERVAL", 60)),
}

# monitoring: trim pushed terminal states older than MONITORING_HISTORY_DAYS (diagnostics buffer)
CELERY_BEAT_SCHEDULE["trim-terminal-history"] = {
    "task": "monitoring.tasks.trim_terminal_history",
    "schedule": timedelta(seconds=env_int("MONITORING_HISTORY_TRIM_INTERVAL", 3600)),
}

# Asterisk's CDR table (cdr_pgsql / cdr_adaptive_odbc) followed under beat when its URL is set.
ASTERISK_CDR_DB_URL = env_str("ASTERISK_CDR_DB_URL")
ASTERISK_CDR_DB_TABLE = env_str("ASTERISK_CDR_DB_TABLE") or "cdr"
ASTERISK_CDR_DB_TIMEZONE = env_str("ASTERISK_CDR_DB_TIMEZONE")
if ASTERISK_CDR_DB_URL:
    CELERY_BEAT_SCHEDULE["follow-asterisk-cdr-db"] = {
        "task": "sources.tasks.follow_asterisk_cdr_db",
        "schedule": timedelta(seconds=env_int("ASTERISK_CDR_DB_INTERVAL", 5)),
    }

# Filtered deletes whose worker was lost are queued again by this sweep (reports/deletion_liveness.py);
# without PostgreSQL's advisory locks a running job silent for DELETION_STALE_SECONDS counts as lost.
DELETION_SWEEP_SECONDS = env_int("DELETION_SWEEP_SECONDS", 20)
DELETION_STALE_SECONDS = env_int("DELETION_STALE_SECONDS", 30)
DELETION_MAX_ATTEMPTS = env_int("DELETION_MAX_ATTEMPTS", 3)
CELERY_BEAT_SCHEDULE["sweep-deletions"] = {
    "task": "voipadmin.tasks.sweep_deletions",
    "schedule": timedelta(seconds=DELETION_SWEEP_SECONDS),
}

# sources: the demo source's tick, only where the settings turned it on (DEMO=1 with DEBUG=1)
if DEMO_SOURCE:
    CELERY_BEAT_SCHEDULE["demo-tick"] = {
        "task": "sources.tasks.demo_tick",
        "schedule": timedelta(seconds=DEMO_INTERVAL),
    }

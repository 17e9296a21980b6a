"""Celery: Redis when CELERY_BROKER_URL is set, else a folder-based broker that needs no server."""

from datetime import timedelta

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

PARTITION_MAINTENANCE_INTERVAL = env_int("PARTITION_MAINTENANCE_INTERVAL", 3600)

CELERY_BEAT_SCHEDULE = {
    "maintain-partitions": {
        "task": "voipadmin.tasks.maintain_partitions",
        "schedule": timedelta(seconds=PARTITION_MAINTENANCE_INTERVAL),
    },
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

# sip_sessions: seconds between beat runs of reconciliation
RECONCILE_INTERVAL = env_int("RECONCILE_INTERVAL", 60)
CELERY_BEAT_SCHEDULE["reconcile-sip-events"] = {
    "task": "sip_sessions.tasks.reconcile_events",
    "schedule": timedelta(seconds=RECONCILE_INTERVAL),
}

# monitoring: trim pushed terminal states older than MONITORING_HISTORY_DAYS (diagnostics buffer)
CELERY_BEAT_SCHEDULE["trim-terminal-history"] = {
    "task": "monitoring.tasks.trim_terminal_history",
    "schedule": timedelta(seconds=env_int("MONITORING_HISTORY_TRIM_INTERVAL", 3600)),
}

# sources: the demo source's tick, only where the settings turned it on (DEMO=1 with DEBUG=1)
if DEMO_SOURCE:
    CELERY_BEAT_SCHEDULE["demo-tick"] = {
        "task": "sources.tasks.demo_tick",
        "schedule": timedelta(seconds=DEMO_INTERVAL),
    }

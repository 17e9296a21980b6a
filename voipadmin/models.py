"""The console's own state: viewer preferences, filtered-deletion jobs, console settings, console-wide rights."""

import zoneinfo

from django.conf import settings
from django.db import models


def _zone_choices() -> list[tuple[str, str]]:
    return [(zone, zone) for zone in sorted(zoneinfo.available_timezones())]


def zone_choices() -> list[tuple[str, str]]:
    """Every IANA zone, for the Preferences page's searchable picker."""
    return _zone_choices()


class CsvDelimiter(models.TextChoices):
    COMMA = ",", "Comma (,)"
    SEMICOLON = ";", "Semicolon (;)"
    TAB = "\t", "Tab"
    PIPE = "|", "Pipe (|)"


class CsvEncoding(models.TextChoices):
    UTF8 = "utf-8", "UTF-8"
    UTF8_BOM = "utf-8-sig", "UTF-8 with BOM (for spreadsheet programs)"


class Preference(models.Model):
    """One viewer's display choices; every report's pages and exports honour them."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preference")
    time_zone = models.CharField(
        max_length=64, choices=_zone_choices, blank=True, help_text="Empty: the server's default zone."
    )
    csv_delimiter = models.CharField(max_length=1, choices=CsvDelimiter, default=CsvDelimiter.COMMA)
    csv_encoding = models.CharField(max_length=16, choices=CsvEncoding, default=CsvEncoding.UTF8)

    def __str__(self) -> str:
        return f"preferences of {self.user}"


class DeletionJob(models.Model):
    """A filtered delete, confirmed by a person and carried out in batches by a worker."""

    class State(models.TextChoices):
        PENDING = "pending", "Waiting for a worker"
        RUNNING = "running", "Deleting"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    report = models.CharField(max_length=64)
    query = models.TextField(help_text="The report's query string the rows were selected by.")
    description = models.TextField(help_text="The filter in words, as the confirmation showed it.")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_ip = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True, help_text="Last batch done.")
    state = models.CharField(max_length=16, choices=State, default=State.PENDING)
    expected = models.BigIntegerField(null=True, blank=True, help_text="What the confirmation showed.")
    upto_pk = models.BigIntegerField(
        null=True, blank=True, help_text="Highest row id when confirmed: rows that arrive later are not taken."
    )
    deleted = models.BigIntegerField(default=0)
    protected = models.BigIntegerField(default=0, help_text="Selected rows the rules kept.")
    cascaded = models.JSONField(default=dict, blank=True, help_text="Rows removed with them, by kind.")
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(
        default=0, help_text="Workers that took the job up; more than one means a worker was lost."
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["-created_at"], name="deletionjob_created_idx")]

    def __str__(self) -> str:
        return f"delete from {self.report} ({self.get_state_display()})"


class ConsoleSetting(models.Model):
    """A setting an Administrator changed on the Settings page (voipadmin/console_settings.py);
    a setting without a row has its environment variable's value."""

    key = models.CharField(max_length=64, unique=True)
    value = models.JSONField()
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    def __str__(self) -> str:
        return self.key


class Console(models.Model):
    """Holds console-wide permissions; no table."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("export_reports", "Can export reports as CSV"),
            ("ingest_events", "Can push events through the ingest API"),
        ]

    def __str__(self) -> str:
        return "console"

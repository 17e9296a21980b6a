"""A test-only event table exercising the shared machinery the way SIP events and CDRs use it."""

from django.db import models


class Probe(models.Model):
    class Kind(models.TextChoices):
        PING = "PING", "Ping"
        PONG = "PONG", "Pong"
        KEEP = "KEEP", "Keep (protected from deletion)"

    event_id = models.CharField(max_length=64)
    time = models.DateTimeField()
    kind = models.CharField(max_length=8, choices=Kind)
    note = models.TextField(blank=True)
    value = models.IntegerField(null=True, blank=True)
    flag = models.BooleanField(default=False)

    partitioned_by = "time"
    retention_event = "delete_events"

    class Meta:
        app_label = "testapp"
        constraints = [models.UniqueConstraint(fields=["event_id", "time"], name="probe_source_uniq")]
        indexes = [
            models.Index(fields=["time", "id"], name="probe_time_idx"),
            models.Index(fields=["kind", "id"], name="probe_kind_idx"),
            models.Index(fields=["value", "id"], name="probe_value_idx"),
            models.Index(fields=["note", "id"], name="probe_note_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.event_id}"

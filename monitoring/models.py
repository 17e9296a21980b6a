"""Terminal states of the users (seeds 003/004, User Monitoring): the current state of each of a
user's up to four terminals, and a short history of what was pushed for the diagnostics page."""

from django.db import models
from django.db.models import Q

from registrations.models import Account


class TerminalKind(models.TextChoices):
    """The terminal icons of the seeds; the label is what the hover says. `gui` is the user's own
    client (the UC / softphone GUI), "GUI of the active user" in seeds 003/004: registered means
    the client is logged in and active."""

    GUI = "gui", "GUI of the active user"
    SIP = "sip", "SIP phone"
    DECT = "dect", "DECT"
    USB = "usb", "USB audio"
    MOBILE = "mobile", "Mobile"


SLOTS = (1, 2, 3, 4)
# What a push says about a terminal, in the item's own words (DESIGN.md "terminal-states/").
STATE_FIELDS = ("terminal", "kind", "registered", "calls_ringing", "calls_active", "address", "model")


class TerminalFields(models.Model):
    """What one push says about one terminal of a user."""

    account = models.ForeignKey(Account, on_delete=models.DB_CASCADE, related_name="+", db_index=False)
    terminal = models.PositiveSmallIntegerField(help_text="The terminal's slot, 1 to 4.")
    kind = models.CharField(max_length=8, choices=TerminalKind)
    registered = models.BooleanField()
    calls_ringing = models.PositiveSmallIntegerField(default=0)
    calls_active = models.PositiveSmallIntegerField(default=0)
    address = models.CharField(max_length=255, blank=True, help_text="The device's IP address or host name.")
    model = models.CharField(max_length=255, blank=True, help_text="The device's make and model.")
    event_id = models.CharField("source event", max_length=64)
    timestamp = models.DateTimeField(help_text="When the server saw this state.")

    class Meta:
        abstract = True


def _checks(prefix: str) -> list[models.CheckConstraint]:
    return [
        models.CheckConstraint(condition=Q(terminal__gte=1, terminal__lte=4), name=f"{prefix}_slot_range"),
        models.CheckConstraint(condition=Q(kind__in=TerminalKind.values), name=f"{prefix}_kind_valid"),
    ]


class TerminalState(TerminalFields):
    """The newest state of one terminal slot of one user: upserted by the ingest, which only ever
    replaces a row with a newer one ((timestamp, event_id) greater), so pushes may arrive in any
    order and any number of times. `updated_at` is when the console wrote it: the monitoring page's
    2-second poll asks for the rows written since its last token."""

    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = "terminal state"
        constraints = [
            models.UniqueConstraint(fields=["account", "terminal"], name="terminalstate_slot_uniq"),
            *_checks("terminalstate"),
        ]
        indexes = [
            # the poll: rows written since the client's token
            models.Index(fields=["updated_at"], name="terminalstate_updated_idx"),
            # the state filter RED / ORANGE: only users with a terminal in a call can be either
            models.Index(
                fields=["account"],
                name="terminalstate_in_call_idx",
                condition=models.Q(calls_active__gt=0) | models.Q(calls_ringing__gt=0),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account_id}/{self.terminal} {self.kind}"


class TerminalStateEvent(TerminalFields):
    """Every push as received (one row per event_id), for the per-user diagnostics of the last
    two days. A rolling buffer: rows older than MONITORING_HISTORY_DAYS are trimmed hourly."""

    received_at = models.DateTimeField()

    class Meta:
        verbose_name = "terminal state change"
        constraints = [
            models.UniqueConstraint(fields=["event_id"], name="terminalevent_source_uniq"),
            *_checks("terminalevent"),
        ]
        indexes = [
            # diagnostics: one user's changes of the last two days, newest first
            models.Index(fields=["account", "timestamp"], name="terminalevent_account_idx"),
            # the hourly trim of old rows
            models.Index(fields=["timestamp"], name="terminalevent_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} {self.account_id}/{self.terminal}"

"""The SIP activity log (seed 000 §4.0.1) and the runs of the task that reconciles it."""

from django.db import models
from django.utils import timezone

from registrations.models import Account, Transport, remote_address


class SipEventType(models.TextChoices):
    """What the SIP server reports per account or remote address; the label is the hover hint."""

    REGISTER = "REGISTER", "REGISTER: a contact registered or refreshed its binding"
    UNREGISTER = "UNREGISTER", "UNREGISTER: a contact removed its binding (expires 0)"
    REGISTER_FAILED = "REGISTER_FAILED", "REGISTER_FAILED: a REGISTER was refused (not for its credentials)"
    AUTH_FAILED = "AUTH_FAILED", "AUTH_FAILED: digest authentication failed (wrong user or password)"
    EXPIRED = "EXPIRED", "EXPIRED: a binding lapsed with no refresh"
    CONNECT = "CONNECT", "CONNECT: a remote address opened a connection or flow"
    DISCONNECT = "DISCONNECT", "DISCONNECT: the connection or flow of a remote address closed"
    NETWORK_ERROR = "NETWORK_ERROR", "NETWORK_ERROR: a transport error (reset, unreachable, TLS failure)"
    TIMEOUT = "TIMEOUT", "TIMEOUT: a request or keep-alive got no answer in time"
    REJECTED = "REJECTED", "REJECTED: a request refused by policy (blocked address, rate limit)"


# An event reconciliation still has to bind: no username (given or found), a full remote address,
# neither bound nor found ambiguous. The partial index below and the reconciliation SQL say the same.
PENDING = (
    models.Q(reconciled=False, ambiguous=False, username="", remote_port__isnull=False)
    & ~models.Q(remote_ip=None)
    & ~models.Q(transport="")
)
PENDING_SQL = (
    "NOT {t}reconciled AND NOT {t}ambiguous AND {t}username = '' AND {t}remote_ip IS NOT NULL "
    "AND {t}remote_port IS NOT NULL AND {t}transport <> ''"
)


class SipEvent(models.Model):
    """One line of the SIP activity log; a growing table, partitioned by month of `time`."""

    event_id = models.CharField("source event", max_length=64)
    time = models.DateTimeField("date")
    event = models.CharField(max_length=16, choices=SipEventType)
    details = models.TextField(blank=True, help_text="The exact message of the SIP server.")
    remote_ip = models.GenericIPAddressField("remote IP", null=True, blank=True)
    remote_port = models.PositiveIntegerField(null=True, blank=True)
    transport = models.CharField(max_length=3, choices=Transport, blank=True)
    # No index and no database constraint: the account page reads by username, every index costs
    # the reconciliation UPDATE (never a HOT update) a write per row, and a constraint would scan
    # the whole log once per deleted account. Django's SET NULL clears it in one UPDATE per delete
    # (an account with bindings cannot be deleted at all); the username stays as text.
    account = models.ForeignKey(
        Account,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    username = models.CharField(max_length=64, blank=True, help_text="Given by the server or found by reconciliation.")
    reconciled = models.BooleanField(default=False, help_text="Bound to an account by reconciliation.")
    ambiguous = models.BooleanField(default=False, help_text="Two or more accounts were at the address then.")
    reconciled_at = models.DateTimeField(null=True, blank=True, help_text="When reconciliation bound or marked it.")

    partitioned_by = "time"
    retention_event = "delete_sip_sessions"

    class Meta:
        verbose_name = "SIP event"
        constraints = [
            models.UniqueConstraint(fields=["event_id", "time"], name="sipevent_source_uniq"),
            models.CheckConstraint(
                condition=models.Q(remote_port__isnull=True) | models.Q(remote_port__gte=1, remote_port__lte=65535),
                name="sipevent_port_range",
            ),
            models.CheckConstraint(
                condition=~models.Q(reconciled=True, ambiguous=True), name="sipevent_bound_or_ambiguous"
            ),
        ]
        # Every index here is written by every ingested row and again by every reconciliation
        # UPDATE (it changes `username`, so it is never a HOT update): about 4 ms per 1,000 rows
        # each. So only the reads that must stay an index range get one (docs/sip-and-registrations.md):
        # the default order and the date range, a user's history and the Username sort, one remote
        # address (a scanner's IP, over the whole log), reconciliation's pending events (partial:
        # only pending rows, dropped from them once bound) and the "ambiguous" state. Event,
        # Details and Reconciled sort and filter over the date range's partitions (by the time
        # index), not by an index of their own.
        indexes = [
            models.Index(fields=["time", "id"], name="sipevent_time_idx"),
            # ?username= (the username link, the account page, diagnostics) and ?o=username
            models.Index(fields=["username", "id"], name="sipevent_username_idx"),
            # ?remote_ip= (who is this address?) and ?o=remote_ip: a rare address is still one
            # index range over the whole log, worth its ~4 ms per 1,000 ingested rows
            models.Index(fields=["remote_ip", "id"], name="sipevent_remote_idx"),
            # reconciliation: pending events in id order, and by address and time
            models.Index(fields=["id"], name="sipevent_pending_idx", condition=PENDING),
            models.Index(
                fields=["remote_ip", "remote_port", "transport", "time"],
                name="sipevent_pending_addr_idx",
                condition=PENDING,
            ),
            # the "ambiguous" state filter
            models.Index(fields=["id"], name="sipevent_ambiguous_idx", condition=models.Q(ambiguous=True)),
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.remote_address or self.username} {self.time:%Y-%m-%d %H:%M:%S}"

    @property
    def remote_address(self) -> str:
        return remote_address(self.remote_ip, self.remote_port, self.transport)

    @property
    def pending(self) -> bool:
        return (
            not self.reconciled
            and not self.ambiguous
            and not self.username
            and bool(self.remote_ip and self.remote_port and self.transport)
        )


class ReconciliationRun(models.Model):
    """One run of reconciliation: what the SIP Sessions page says about it, and where the next
    incremental run starts."""

    class Mode(models.TextChoices):
        INCREMENTAL = "incremental", "Incremental (beat)"
        FULL = "full", "Full (every pending event)"

    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    mode = models.CharField(max_length=16, choices=Mode)
    max_event_id = models.BigIntegerField(default=0, help_text="The newest event id when the run started.")
    examined = models.BigIntegerField(default=0)
    bound = models.BigIntegerField(default=0)
    ambiguous = models.BigIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["started_at"], name="reconrun_started_idx")]

    def __str__(self) -> str:
        return f"reconciliation {self.started_at:%Y-%m-%d %H:%M:%S}: {self.bound} bound"

    @property
    def seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()

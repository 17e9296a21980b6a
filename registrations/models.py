"""VoIP accounts: the people and devices the server knows, upserted by username."""

from django.db import models


class Account(models.Model):
    username = models.CharField(max_length=64, unique=True)
    display_name = models.CharField(max_length=128, blank=True)
    first_name = models.CharField("name", max_length=64, blank=True)
    last_name = models.CharField("surname", max_length=64, blank=True)
    department = models.CharField(max_length=128, blank=True)
    extension = models.CharField(max_length=32, blank=True)
    mobile = models.CharField(max_length=32, blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["username"]
        indexes = [
            models.Index(fields=["department", "username"], name="account_department_idx"),
            # The order of User Monitoring's pages (monitoring.paging).
            models.Index(
                fields=["department", "last_name", "first_name", "username"], name="account_monitor_order_idx"
            ),
            models.Index(fields=["extension"], name="account_extension_idx"),
            # User Monitoring's 2-second poll: the accounts edited since its token (monitoring.poll).
            models.Index(fields=["updated_at"], name="account_updated_idx"),
        ]

    def __str__(self) -> str:
        return self.username

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part) or self.display_name


class Transport(models.TextChoices):
    """The SIP transports a contact registers over (RFC 3261, RFC 7118 for WebSocket)."""

    UDP = "UDP", "UDP"
    TCP = "TCP", "TCP"
    TLS = "TLS", "TLS"
    WS = "WS", "WebSocket"
    WSS = "WSS", "Secure WebSocket"


class EndReason(models.TextChoices):
    """Why a registration binding ended (DESIGN.md "Real sources")."""

    UNREGISTER = "unregister", "Unregistered"
    EXPIRED = "expired", "Expired"
    MOVED = "moved", "Moved to another address"
    CONNECTION_LOST = "connection_lost", "Connection lost"
    RESYNC = "resync", "Missing from the registrar's snapshot"


# Connection-oriented transports: their binding lives as long as its connection.
CONNECTION_TRANSPORTS = frozenset({Transport.TCP, Transport.TLS, Transport.WS, Transport.WSS})


def remote_address(ip: str | None, port: int | None, transport: str) -> str:
    """`ip:port/transport` as operators read it (`[v6]:port/transport` for IPv6)."""
    if not ip:
        return ""
    host = f"[{ip}]" if ":" in ip else ip
    text = f"{host}:{port}" if port else host
    return f"{text}/{transport}" if transport else text


class RegistrationBinding(models.Model):
    """One contact of an account registered from one remote address, from its first REGISTER to
    its end (EndReason: unregister, expiry, a REGISTER of the same contact from another address,
    the loss of its TCP/TLS/WS connection, or its absence from its registrar's snapshot).

    A refresh from the same address extends `expires_at`; nothing is ever deleted by ingest, so
    the rows are the account's registration history and reconciliation's evidence. The account is
    online while a binding has `expires_at` in the future and no `removed_at`. A binding whose
    expiry passed with no event is ended there by the sweep (`bindings_expire`, reason expired,
    `removed_at` = `expires_at`); a later REGISTER that extends it reopens it.
    """

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="bindings", db_index=False)
    # The account's username, copied: the list sorts and filters by it without a join.
    username = models.CharField(max_length=64)
    contact = models.CharField(max_length=512)
    remote_ip = models.GenericIPAddressField("remote IP")
    remote_port = models.PositiveIntegerField()
    transport = models.CharField(max_length=3, choices=Transport)
    user_agent = models.CharField(max_length=255, blank=True)
    registered_at = models.DateTimeField("since", help_text="The REGISTER that opened this binding.")
    refreshed_at = models.DateTimeField(help_text="The latest REGISTER that refreshed it.")
    expires_at = models.DateTimeField("expires")
    removed_at = models.DateTimeField(null=True, blank=True, help_text="When the binding ended (see the reason).")
    removed_reason = models.CharField(
        "ended", max_length=16, choices=EndReason, blank=True, help_text="Why the binding ended."
    )
    registrar = models.CharField(
        max_length=64,
        blank=True,
        default="",
        db_default="",  # rows COPYed in by tools that predate the column (bench/dataset) get "" too
        help_text="The registrar that holds the binding (its snapshots resync it).",
    )
    event_id = models.CharField("source event", max_length=64, help_text="The registration event that opened it.")
    last_event_id = models.CharField(max_length=64, blank=True, help_text="The latest event that changed it.")
    updated_at = models.DateTimeField(auto_now=True, help_text="Reconciliation re-examines events near changed rows.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event_id"], name="binding_event_uniq"),
            models.CheckConstraint(
                condition=models.Q(remote_port__gte=1, remote_port__lte=65535), name="binding_port_range"
            ),
            models.CheckConstraint(
                condition=models.Q(expires_at__gte=models.F("registered_at")), name="binding_expiry"
            ),
        ]
        indexes = [
            # reconciliation: bindings at an address around a time
            models.Index(
                fields=["remote_ip", "remote_port", "transport", "registered_at"], name="binding_address_time_idx"
            ),
            # reconciliation: rows changed since the previous run
            models.Index(fields=["updated_at"], name="binding_updated_idx"),
            # an account's history (account page) and its live bindings (ingest)
            models.Index(fields=["account", "contact", "registered_at"], name="binding_account_idx"),
            # who is online now: expires_at > now() among the rows not removed
            models.Index(
                fields=["expires_at", "id"], name="binding_live_idx", condition=models.Q(removed_at__isnull=True)
            ),
            # an account's live bindings (User Monitoring's rows: a page of accounts probes this)
            models.Index(
                fields=["account", "expires_at"],
                name="binding_account_live_idx",
                condition=models.Q(removed_at__isnull=True),
            ),
            # sortable columns of the two reports, each on (column, id)
            models.Index(fields=["account", "id"], name="binding_account_id_idx"),
            models.Index(fields=["expires_at", "id"], name="binding_expires_idx"),
            models.Index(fields=["username", "id"], name="binding_username_idx"),
            models.Index(fields=["registered_at", "id"], name="binding_since_idx"),
            models.Index(fields=["remote_ip", "id"], name="binding_ip_idx"),
            models.Index(fields=["contact", "id"], name="binding_contact_idx"),
            models.Index(fields=["user_agent", "id"], name="binding_agent_idx"),
            models.Index(fields=["removed_at", "id"], name="binding_removed_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.username} at {self.remote_address}"

    @property
    def remote_address(self) -> str:
        return remote_address(self.remote_ip, self.remote_port, self.transport)

    @property
    def ends_at(self):
        """When the binding stopped (or will stop) covering its address."""
        if self.removed_at is not None and self.removed_at < self.expires_at:
            return self.removed_at
        return self.expires_at

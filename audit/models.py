"""Who did what to the console and the server: web accesses, the audit log, the server event log."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class WebAccess(models.Model):
    """One authentication event on this console (seed 000 §4.0.3 "Web Sessions")."""

    class Outcome(models.TextChoices):
        LOGIN = "login", "Login"
        LOGIN_FAILED = "login_failed", "Failed login"
        LOGOUT = "logout", "Logout"
        LOCKED = "locked", "Refused: account locked"

    time = models.DateTimeField(default=timezone.now)
    outcome = models.CharField("event type", max_length=16, choices=Outcome)
    principal = models.CharField(max_length=150, help_text="The user, or the login that was typed.")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_login = models.CharField(
        max_length=150, blank=True, help_text="What was typed as login; the password never is."
    )
    ip = models.GenericIPAddressField("IP address", null=True, blank=True)
    user_agent = models.CharField(max_length=512, blank=True)
    reason = models.CharField(max_length=128, blank=True, help_text="Why a login failed.")

    class Meta:
        verbose_name = "web access"
        verbose_name_plural = "web accesses"
        indexes = [
            # default order and the date range filter
            models.Index(fields=["time", "id"], name="webaccess_time_idx"),
            # sort by each column, and the principal / IP / outcome filters within it
            models.Index(fields=["principal", "id"], name="webaccess_principal_idx"),
            models.Index(fields=["ip", "id"], name="webaccess_ip_idx"),
            models.Index(fields=["outcome", "id"], name="webaccess_outcome_idx"),
            models.Index(fields=["user_agent", "id"], name="webaccess_agent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} {self.principal} {self.time:%Y-%m-%d %H:%M:%S}"


class ActorKind(models.TextChoices):
    WEB_USER = "u", "Web user"
    ACCOUNT = "a", "Account"
    CUSTOMER = "c", "Customer"
    VENDOR = "v", "Vendor"
    TRUSTED = "t", "Trusted API / system"


class AuditAction(models.TextChoices):
    """The softswitch's action codes (seed 002); the label is the seed's description.

    XMLAPI_RLY, MFA_RST_ALL and MFA_RST are ours: the seed lists those actions without a code.
    """

    ADD = "A", "Add a record to a table"
    UPDATE = "U", "Update a record"
    DELETE = "D", "Delete record"
    RESTORE = "R", "Restore record"
    AUTH_OK = "AUTH_OK", "Successful auth"
    AUTH_FAIL = "AUTH_FAIL", "Bad auth"
    AUTH_OTP = "AUTH_OTP", "Successful auth using OTP"
    OTP_RST = "OTP_RST", "Reset one time password"
    PSWD_CHNG = "PSWD_CHNG", "Web Password change"
    FUNDS = "FUNDS", "Add funds/Debit/Credit"
    CALL_DISC = "CALL_DISC", "Disconnect call"
    BRUN = "BRUN", "Billing run"
    BRSTRT = "BRSTRT", "Billing restart"
    QUEUE = "Q", "Queue an action"
    EXECUTE = "E", "Execute an action"
    CLR_FSTUSE = "CLR_FSTUSE", "Clear First Use timestamp"
    EXT_LFTM = "EXT_LFTM", "Extend Lifetime"
    SSLCRT_ISS = "SSLCRT_ISS", "Issue SSL Certificate"
    FW_OPEN80 = "FW_OPEN80", "Open TCP 80 port"
    XMLAPI_RLY = "XMLAPI_RLY", "XMLAPI relayed to another environment"
    MFA_RQRD = "MFA_RQRD", "MFA required"
    MFA_PEND = "MFA_PEND", "MFA pending until setup done"
    MFA_SETUP = "MFA_SETUP", "MFA setup done"
    MFA_VRFY = "MFA_VRFY", "MFA verification passed"
    MFA_FAIL = "MFA_FAIL", "MFA required, but failed"
    MFA_RST_ALL = "MFA_RST_ALL", "Reset MFA configs, tokens and validations for ALL users"
    MFA_RST = "MFA_RST", "Reset MFA configs, tokens and validations for a specific user"


_ROW = "table_name:key1=val1[,key2=val2...]"
_CHANGE = f"{_ROW}:field1=newval1"
_LOGIN = "customer|account|vendor:username|email=value"
_MFA = "customer|vendor|web_user:username:MFA_type"

# The statement syntax of each action code (seed 002), shown beside the description. The three
# codes of our own follow the seed's patterns: the environment relayed to, the user reset.
ACTION_SYNTAX: dict[str, str] = {
    AuditAction.ADD: _CHANGE,
    AuditAction.UPDATE: _CHANGE,
    AuditAction.DELETE: _ROW,
    AuditAction.RESTORE: _ROW,
    AuditAction.AUTH_OK: _LOGIN,
    AuditAction.AUTH_FAIL: _LOGIN,
    AuditAction.AUTH_OTP: _LOGIN,
    AuditAction.OTP_RST: "customer|account|vendor|system:",
    AuditAction.PSWD_CHNG: "i_customer|i_web_user|i_account|i_vendor=id",
    AuditAction.FUNDS: "add|credit|debit|recharge:i_customer|i_account|i_vendor=",
    AuditAction.CALL_DISC: "i_call|i_account=id",
    AuditAction.BRUN: "i_account=id",
    AuditAction.BRSTRT: "i_account=id",
    AuditAction.QUEUE: _CHANGE,
    AuditAction.EXECUTE: _CHANGE,
    AuditAction.CLR_FSTUSE: "accounts:i_accout=id",
    AuditAction.EXT_LFTM: "accounts:i_accout=id",
    AuditAction.SSLCRT_ISS: "i_environment=id",
    AuditAction.FW_OPEN80: "i_environment=id",
    AuditAction.XMLAPI_RLY: "i_environment=id",
    AuditAction.MFA_RQRD: _MFA,
    AuditAction.MFA_PEND: _MFA,
    AuditAction.MFA_SETUP: _MFA,
    AuditAction.MFA_VRFY: _MFA,
    AuditAction.MFA_FAIL: _MFA,
    AuditAction.MFA_RST_ALL: "system:",
    AuditAction.MFA_RST: "customer|vendor|web_user:username",
}


def action_hint(code: str) -> str:
    """`description — syntax` of an action code, the hover text of the Action column."""
    try:
        action = AuditAction(code)
    except ValueError:
        return code
    return f"{action.label} — {ACTION_SYNTAX[action]}"


class AuditRecord(models.Model):
    """One change or access: who, what, where, when, from which IP (seed 002)."""

    time = models.DateTimeField(default=timezone.now)
    actor_kind = models.CharField(max_length=1, choices=ActorKind)
    actor_id = models.BigIntegerField(default=0)
    actor_sub_id = models.BigIntegerField(default=0)
    actor_name = models.CharField(max_length=150)
    action = models.CharField(max_length=16, choices=AuditAction)
    resource_table = models.CharField(max_length=64, blank=True)
    resource_id = models.CharField(max_length=255, blank=True)
    statement = models.TextField(help_text="table:key=val[,key=val...]:field=newval[,...]")
    ip = models.CharField("user IP / node", max_length=255, blank=True)
    correlation_id = models.CharField(max_length=64, blank=True)
    details = models.JSONField(default=dict, blank=True)
    # The hash chain (audit/chain.py): filled by the database when the inserting transaction
    # commits, in commit order; NULL only inside a transaction that has not committed yet.
    seq = models.BigIntegerField("chain position", null=True, blank=True, unique=True, editable=False)
    prev_hash = models.CharField("previous hash", max_length=64, blank=True, editable=False)
    hash = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        indexes = [
            models.Index(fields=["time", "id"], name="audit_time_idx"),
            models.Index(fields=["resource_table", "id"], name="audit_resource_idx"),
            models.Index(fields=["action", "id"], name="audit_action_idx"),
            models.Index(fields=["actor_name", "id"], name="audit_actor_idx"),
            models.Index(fields=["ip", "id"], name="audit_ip_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.statement}"

    @property
    def actor(self) -> str:
        return f"{self.actor_kind}:{self.actor_id}:{self.actor_sub_id}:{self.actor_name}"

    @property
    def action_hint(self) -> str:
        return action_hint(self.action)

    @property
    def action_syntax(self) -> str:
        return ACTION_SYNTAX.get(self.action, "")

    @property
    def changes(self) -> list[tuple[str, object, object]]:
        """(parameter, before, after) of a captured change, by parameter name."""
        recorded = (self.details or {}).get("changes") or {}
        return [(name, pair[0], pair[1]) for name, pair in sorted(recorded.items())]


class ConfigChange(AuditRecord):
    """The same captured changes, seen as the Configuration Changes report (seed 001)."""

    class Meta:
        proxy = True
        verbose_name = "configuration change"

    def __str__(self) -> str:
        return f"{self.time:%Y-%m-%d %H:%M:%S} {self.details.get('object') or self.resource_table}"


class ServerConfigSection(models.TextChoices):
    """What of the VoIP server's own configuration changed (seed 001, Configuration Changes); each
    is a resource table of its own in the audit log, `server_<section>`."""

    SETTINGS = "settings", "server settings"
    CONFERENCES = "conferences", "list of conferences"
    PRO_LICENSES = "pro_licenses", "PRO licenses"
    LDAP = "ldap", "LDAP integration"
    DLP = "dlp", "DLP integration"
    EMAIL = "email", "corporate e-mail integration"
    SURVEYS = "surveys", "surveys"
    GROUPS = "groups", "user groups"
    ACCOUNTS = "accounts", "user accounts"


class ServerConfigAction(models.TextChoices):
    """What a pushed configuration change did, in seed 002's codes."""

    ADD = "A", "added"
    UPDATE = "U", "updated"
    DELETE = "D", "deleted"


SERVER_CONFIG_TABLES = tuple(f"server_{section}" for section in ServerConfigSection.values)


class PushedConfigChange(models.Model):
    """The source id of a configuration change the VoIP server pushed: seen once, applied once.
    The change itself is an audit record (shown by Configuration Changes); a filtered delete of it
    leaves this row, so the same push repeated later still changes nothing."""

    event_id = models.CharField("event ID", max_length=128, unique=True)
    received_at = models.DateTimeField(default=timezone.now)
    record = models.ForeignKey(
        AuditRecord, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )

    class Meta:
        verbose_name = "pushed configuration change"

    def __str__(self) -> str:
        return self.event_id


class AuditChainGap(models.Model):
    """Where a sanctioned filtered delete removed audit rows: the chain links across the hole.

    One row per run of consecutive chain positions removed by one deletion job; `prev_hash` is the
    hash before the run, `last_hash` the hash of its last row, `digest` sha256 over the removed
    rows' hashes. The deletion's own audit record (action D) carries a digest of its gaps.
    """

    job = models.ForeignKey("voipadmin.DeletionJob", on_delete=models.PROTECT, related_name="+")
    first_seq = models.BigIntegerField(unique=True)
    last_seq = models.BigIntegerField()
    rows = models.BigIntegerField()
    prev_hash = models.CharField(max_length=64)
    last_hash = models.CharField(max_length=64)
    digest = models.CharField(max_length=64)
    anchors = models.JSONField(default=list, blank=True, help_text="Deletion jobs whose D records were removed here.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        default_permissions = ()
        constraints = [
            models.CheckConstraint(condition=models.Q(last_seq__gte=models.F("first_seq")), name="chaingap_range")
        ]

    def __str__(self) -> str:
        return f"chain gap {self.first_seq}..{self.last_seq}"


class AuditChainHead(models.Model):
    """The newest chain position and hash (one row): removing the newest rows shows against it."""

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    class Meta:
        default_permissions = ()

    def __str__(self) -> str:
        return f"chain head {self.seq}"


class ServerEvent(models.Model):
    """The server event log (seed 001 "Events"): status changes, logins, deletions, starts."""

    class EventType(models.TextChoices):
        AUTHORIZE = "authorize", "authorize: authorization via an SSO provider"
        LOGIN = "login", "login: authorization of a user or administrator"
        LOGOUT = "logout", "logout: de-authorization of a user or administrator"
        LOCK = "lock", "lock: account locked after wrong passwords"
        UNLOCK = "unlock", "unlock: account unlocked by an administrator or after the timeout"
        ACTIVATION = "activation", "activation: account activated"
        DEACTIVATION = "deactivation", "deactivation: account deactivated"
        STATUS = "status", "status: user status change"
        CONNECT = "connect", "connect: connection to the directory server"
        DISCONNECT = "disconnect", "disconnect: directory server connection lost"
        DELETE_CHAT_MESSAGES = "delete_chat_messages", "delete_chat_messages: Chat Messages rows deleted"
        DELETE_CHAT_MESSAGES_CASCADE = (
            "delete_chat_messages_cascade",
            "delete_chat_messages_cascade: chat deleted with its conference",
        )
        DELETE_CONFERENCES = "delete_conferences", "delete_conferences: Call History rows deleted"
        DELETE_CONNECTIONS = "delete_connections", "delete_connections: Endpoints rows deleted"
        DELETE_EVENTS = "delete_events", "delete_events: Events rows deleted"
        DELETE_LOGS = "delete_logs", "delete_logs: Configuration Changes rows deleted"
        DELETE_VIDEO_RECORDING = "delete_video_recording", "delete_video_recording: recordings deleted"
        DELETE_VIDEO_RECORDINGS = (
            "delete_video_recordings",
            "delete_video_recordings: recordings deleted by the retention timeout",
        )
        DELETE_WEB_SESSIONS = "delete_web_sessions", "delete_web_sessions: Web Sessions rows deleted"
        DELETE_SIP_SESSIONS = "delete_sip_sessions", "delete_sip_sessions: SIP Sessions rows deleted"
        DELETE_REGISTRATIONS = "delete_registrations", "delete_registrations: registration history deleted"
        DELETE_CDRS = "delete_cdrs", "delete_cdrs: Call Detail Records deleted"
        DELETE_AUDIT_LOGS = "delete_audit_logs", "delete_audit_logs: audit log rows deleted"
        START = "start", "start: server start"
        STOP = "stop", "stop: server stop"
        RESTART = "restart", "restart: server restart"
        PRO_LICENSE_LIMIT = "pro_license_limit", "pro_license_limit: PRO license revoked (limit)"
        PRO_LICENSE_REVOCATION = "pro_license_revocation", "pro_license_revocation: temporary PRO license revoked"

    class Status(models.IntegerChoices):
        INACTIVE = -2, "-2 inactive"
        OFFLINE = 0, "0 offline"
        ONLINE = 1, "1 online"
        BUSY = 2, "2 busy (in a conference or call)"
        OWNER = 5, "5 connected as conference owner"

    class AdminType(models.TextChoices):
        SYSADMIN = "sysadmin", "sysadmin (full access)"
        SECURITY = "security", "security (limited access)"

    time = models.DateTimeField(default=timezone.now)
    event_id = models.CharField(
        "event ID", max_length=128, null=True, blank=True, unique=True, help_text="Source id of a pushed event."
    )
    event_type = models.CharField("event", max_length=32, choices=EventType)
    success = models.BooleanField(default=True)
    username = models.CharField("user", max_length=150, blank=True)
    ip = models.GenericIPAddressField("IP address", null=True, blank=True)
    entered_login = models.CharField(max_length=150, blank=True)
    real_user_id = models.CharField("real user ID", max_length=150, blank=True)
    endpoint_id = models.CharField("endpoint ID", max_length=128, blank=True)
    application = models.CharField("application name", max_length=128, blank=True)
    auth_method = models.CharField("authentication method", max_length=64, blank=True)
    user_rights = models.CharField(max_length=64, blank=True, help_text="Binary rights mask.")
    display_name = models.CharField(max_length=255, blank=True)
    previous_status = models.IntegerField(choices=Status, null=True, blank=True)
    new_status = models.IntegerField(choices=Status, null=True, blank=True)
    description = models.TextField(blank=True)
    admin_type = models.CharField("administrator type", max_length=16, choices=AdminType, blank=True)
    user_agent = models.CharField(max_length=512, blank=True)
    deleted_count = models.BigIntegerField(null=True, blank=True, help_text="Rows deleted (delete_* events).")
    users = models.JSONField(default=list, blank=True, help_text="User IDs the event concerns.")
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["time", "id"], name="serverevent_time_idx"),
            models.Index(fields=["event_type", "id"], name="serverevent_type_idx"),
            models.Index(fields=["username", "id"], name="serverevent_user_idx"),
            models.Index(fields=["ip", "id"], name="serverevent_ip_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.username} {self.time:%Y-%m-%d %H:%M:%S}"


class LoginLockout(models.Model):
    """Failed-login count and lock of one login name (casefolded), whether or not such a user exists.

    The count is claimed before the password is checked, atomically in the database
    (audit/services/lockout.py), so parallel attempts cannot slip past the threshold.
    """

    username = models.CharField(max_length=150, unique=True)
    failures = models.IntegerField(default=0, help_text="Attempts counted since the last success or unlock.")
    locked_until = models.DateTimeField(null=True, blank=True)
    locked_at = models.DateTimeField(null=True, blank=True)
    lock_attempt = models.IntegerField(
        null=True,
        blank=True,
        help_text="The count that set the lock: the threshold (a wrong password) or one beyond (a claim).",
    )
    unlocked_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "login lockout"
        indexes = [models.Index(fields=["locked_until"], name="lockout_until_idx")]

    def __str__(self) -> str:
        return self.username

    @property
    def is_locked(self) -> bool:
        return self.locked_until is not None and self.locked_until > timezone.now()

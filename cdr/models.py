"""Call detail records in Asterisk's own columns, and where a followed Master.csv has been read to."""

from django.db import models
from django.db.models import F, Q


class Cdr(models.Model):
    """One CDR as Asterisk writes it (seed 000 §4.0.4; cdr_csv's columns, cdr.conf newcdrcolumns).

    Identity is Asterisk's (uniqueid, sequence). The unique constraint also holds `start` (a
    partitioned table's must hold its partition key), so the store skips a row whose identity is
    stored with a start within a day (services.store.SAME_CALL_WINDOW).
    """

    class Disposition(models.TextChoices):
        ANSWERED = "ANSWERED", "ANSWERED"
        NO_ANSWER = "NO_ANSWER", "NO_ANSWER"
        BUSY = "BUSY", "BUSY"
        FAILED = "FAILED", "FAILED"

    class AmaFlags(models.TextChoices):
        OMIT = "OMIT", "OMIT"
        BILLING = "BILLING", "BILLING"
        DOCUMENTATION = "DOCUMENTATION", "DOCUMENTATION"
        UNKNOWN = "", "Unknown"

    uniqueid = models.CharField("unique ID", max_length=150, help_text="Asterisk's uniqueid of the channel.")
    sequence = models.IntegerField(
        default=0,
        help_text="Asterisk's CDR sequence; negative when the importer derived it (the file had none).",
    )
    linkedid = models.CharField("linked ID", max_length=150, blank=True, help_text="Shared by every leg of a call.")
    accountcode = models.CharField("account code", max_length=255, blank=True)
    peeraccount = models.CharField("peer account", max_length=255, blank=True)
    src = models.CharField("source", max_length=255, blank=True, help_text="Caller ID number (src).")
    dst = models.CharField("destination", max_length=255, blank=True, help_text="Destination extension (dst).")
    dcontext = models.CharField("destination context", max_length=255, blank=True)
    clid = models.CharField("caller ID", max_length=255, blank=True, help_text='Caller ID with name: "Name" <100>.')
    channel = models.CharField(max_length=255, blank=True)
    dstchannel = models.CharField("destination channel", max_length=255, blank=True)
    lastapp = models.CharField("last application", max_length=255, blank=True)
    lastdata = models.CharField("last data", max_length=255, blank=True, help_text="The last application's arguments.")
    start = models.DateTimeField()
    answer = models.DateTimeField(null=True, blank=True)
    end = models.DateTimeField()
    duration = models.IntegerField(help_text="Seconds from start to end.")
    billsec = models.IntegerField(help_text="Seconds from answer to end.")
    disposition = models.CharField(max_length=16, choices=Disposition)
    disposition_source = models.CharField(
        "disposition as received", max_length=32, help_text='Asterisk\'s own word ("NO ANSWER", "CONGESTION", ...).'
    )
    sip_code = models.PositiveSmallIntegerField(
        "SIP code",
        null=True,
        blank=True,
        help_text="The final SIP response of the call (a SIP source's CDRs); the disposition maps from it.",
    )
    amaflags = models.CharField("AMA flags", max_length=16, choices=AmaFlags, blank=True)
    userfield = models.CharField("user field", max_length=255, blank=True)
    caller = models.ForeignKey(
        "registrations.Account",
        null=True,
        blank=True,
        on_delete=models.DB_SET_NULL,
        related_name="+",
        db_index=False,
        help_text="The account whose extension or username is src (or the channel's peer).",
    )
    callee = models.ForeignKey(
        "registrations.Account",
        null=True,
        blank=True,
        on_delete=models.DB_SET_NULL,
        related_name="+",
        db_index=False,
        help_text="The account whose extension or username is dst (or the destination channel's peer).",
    )

    partitioned_by = "start"
    retention_event = "delete_cdrs"

    class Meta:
        verbose_name = "call detail record"
        verbose_name_plural = "call detail records"
        constraints = [
            models.UniqueConstraint(fields=["uniqueid", "sequence", "start"], name="cdr_identity_uniq"),
            models.CheckConstraint(condition=Q(duration__gte=0), name="cdr_duration_nonnegative"),
            models.CheckConstraint(condition=Q(billsec__gte=0), name="cdr_billsec_nonnegative"),
            # initiatedseconds=yes rounds billsec up and truncates duration: duration + 1 at most
            models.CheckConstraint(
                condition=Q(billsec__lte=F("duration") + 1), name="cdr_billsec_within_rounded_duration"
            ),
            models.CheckConstraint(
                condition=Q(sip_code__isnull=True) | Q(sip_code__gte=100, sip_code__lte=699), name="cdr_sip_code_range"
            ),
        ]
        indexes = [
            # default order (newest first), the date range filter, keyset paging
            models.Index(fields=["start", "id"], name="cdr_start_idx"),
            # sort by duration (and its range filter). Source, Destination, Disposition and Billsec
            # have no index of their own: each costs every ingested row an insert into it, and their
            # sorts read the selection (give a date range, docs/cdr.md "Indexes")
            models.Index(fields=["duration", "id"], name="cdr_duration_idx"),
            # the legs of one call (detail page) and the linked ID filter; uniqueid uses the identity
            models.Index(fields=["linkedid"], name="cdr_linkedid_idx"),
            # Calls (cdr.calls): the first leg of each call, newest first, walked by keyset
            models.Index(
                fields=["start", "id"],
                condition=Q(linkedid="") | Q(uniqueid=F("linkedid")),
                name="cdr_call_start_idx",
            ),
            # Calls sorted by duration: the first legs in duration order (a sort of every call otherwise)
            models.Index(
                fields=["duration", "id"],
                condition=Q(linkedid="") | Q(uniqueid=F("linkedid")),
                name="cdr_call_duration_idx",
            ),
            # the account filter, an account's recent calls newest first, and ON DELETE SET NULL
            models.Index(fields=["caller", "start", "id"], name="cdr_caller_idx"),
            models.Index(fields=["callee", "start", "id"], name="cdr_callee_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.src or '?'} → {self.dst or '?'} ({self.disposition})"

    @property
    def sequence_derived(self) -> bool:
        return self.sequence < 0

    @staticmethod
    def after_retention(cutoff) -> None:
        """Retention dropped or trimmed rows before `cutoff` (a dropped partition fires no trigger)."""
        from .rollup import rollup_after_retention

        rollup_after_retention(cutoff)


class ImportCursor(models.Model):
    """How far `import_asterisk_cdr --follow` has read a file: the end of the last committed record.

    Saved in the same transaction as that record's rows, so a restart resumes exactly there. The
    inode and the first line tell a rotated or truncated file from the one that was being read.
    """

    path = models.CharField(max_length=1024, unique=True)
    device = models.BigIntegerField(null=True, blank=True)
    inode = models.BigIntegerField(null=True, blank=True)
    offset = models.BigIntegerField(default=0, help_text="Bytes read and committed.")
    line = models.BigIntegerField(default=0, help_text="Physical lines read and committed.")
    head = models.CharField(max_length=64, blank=True, help_text="SHA-1 of the file's first line.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "Master.csv import cursor"

    def __str__(self) -> str:
        return f"{self.path} @ {self.offset}"


class CdrClaim(models.Model):
    """An identity a transaction is storing right now: inserted before the store's probe, deleted
    before its commit, so the table is empty between transactions (UNLOGGED on PostgreSQL).

    A second transaction claiming the same identity waits on the unique key until the first ends,
    and its probe then sees the first's row: the identity rule holds under concurrency. A row lock
    of this kind costs no slot of PostgreSQL's shared lock table, which a lock per identity of a
    5,000-row batch would fill, and two batches of different calls never wait for each other.
    """

    pk = models.CompositePrimaryKey("uniqueid", "sequence")
    uniqueid = models.CharField(max_length=150)
    sequence = models.IntegerField()

    class Meta:
        verbose_name = "CDR being stored"

    def __str__(self) -> str:
        return f"{self.uniqueid}/{self.sequence}"


class CdrRollup(models.Model):
    """Calls and billsec per 15 minutes (UTC) and disposition: what the CDR chart reads for a range
    instead of its rows (cdr.rollup; PostgreSQL). Kept by triggers on cdr_cdr, append-only: a
    statement adds a row of differences per bucket and disposition it touched (so two ingesting
    transactions never wait for each other), beat folds them into one (cdr.rollup.rollup_compact).
    A bucket's figures are the sums of its rows."""

    bucket = models.DateTimeField(help_text="Start of the 15 minutes (UTC) the calls started in.")
    disposition = models.CharField(max_length=16)
    calls = models.BigIntegerField()
    billsec = models.BigIntegerField()

    class Meta:
        verbose_name = "CDR rollup row"
        # the chart's read of a range: an index-only scan (the figures are in the index)
        indexes = [
            models.Index(fields=["bucket", "disposition"], include=["calls", "billsec"], name="cdr_rollup_bucket_idx")
        ]

    def __str__(self) -> str:
        return f"{self.bucket:%Y-%m-%d %H:%M} {self.disposition}: {self.calls}"

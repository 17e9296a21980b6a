from django.db import models


class SourceCursor(models.Model):
    """How far a follower has read its source: saved in the same transaction as the rows it
    stored from there, so a restart resumes exactly where the last commit left off."""

    source = models.CharField(max_length=255, unique=True, help_text="The source's name and what it reads.")
    position = models.JSONField(default=dict, help_text="The follower's own cursor (an id, a time, ...).")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "source cursor"

    def __str__(self) -> str:
        return f"{self.source} @ {self.position}"


class KamailioCall(models.Model):
    """One INVITE dialog as Kamailio's facts tell it, merged whatever order they arrive in.

    Open calls give User Monitoring its ringing and active counts; a finished one (its failure or
    BYE and its INVITE both seen) is stored once as a CDR. Every field only moves one way (the
    earliest time of each step wins), so a fact delivered twice or late changes nothing.
    """

    call_key = models.CharField(max_length=150, unique=True, help_text="The Call-ID (hashed past 150 characters).")
    registrar = models.CharField(max_length=64, blank=True)
    caller = models.CharField(max_length=64, blank=True, help_text="The From user (authenticated).")
    callee = models.CharField(max_length=64, blank=True, help_text="The To user dialled.")
    started_at = models.DateTimeField(null=True, blank=True, help_text="The INVITE relayed.")
    ringing_at = models.DateTimeField(null=True, blank=True, help_text="The first 180/183 from the callee.")
    answered_at = models.DateTimeField(null=True, blank=True, help_text="The first 2xx.")
    ended_at = models.DateTimeField(null=True, blank=True, help_text="The BYE, or the final failure.")
    sip_code = models.PositiveSmallIntegerField(null=True, blank=True, help_text="The callee's final code.")
    cdr_stored = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "Kamailio call"
        indexes = [
            # The open calls of an account (User Monitoring's counts), by either side.
            models.Index(fields=["caller"], name="kamcall_open_caller", condition=models.Q(ended_at__isnull=True)),
            models.Index(fields=["callee"], name="kamcall_open_callee", condition=models.Q(ended_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.caller} -> {self.callee} ({self.call_key})"

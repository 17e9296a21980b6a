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

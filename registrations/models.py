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
            models.Index(fields=["extension"], name="account_extension_idx"),
        ]

    def __str__(self) -> str:
        return self.username

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part) or self.display_name

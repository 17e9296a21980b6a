from django.contrib import admin

from voipadmin.admin import LargeTableAdmin

from .models import TerminalState, TerminalStateEvent


@admin.register(TerminalState)
class TerminalStateAdmin(LargeTableAdmin):
    """The current state of each terminal, as the server last pushed it (read-only)."""

    list_display = (
        "account",
        "terminal",
        "kind",
        "registered",
        "calls_ringing",
        "calls_active",
        "address",
        "timestamp",
    )
    list_select_related = ("account",)


@admin.register(TerminalStateEvent)
class TerminalStateEventAdmin(LargeTableAdmin):
    """Every push of the last days (the diagnostics' terminal changes; trimmed hourly)."""

    list_display = ("timestamp", "account", "terminal", "kind", "registered", "calls_ringing", "calls_active")
    list_select_related = ("account",)

from django.contrib import admin

from voipadmin.admin import LargeTableAdmin

from .models import ReconciliationRun, SipEvent


@admin.register(SipEvent)
class SipEventAdmin(LargeTableAdmin):
    list_display = ("time", "event", "username", "remote_ip", "remote_port", "transport", "reconciled", "ambiguous")


@admin.register(ReconciliationRun)
class ReconciliationRunAdmin(LargeTableAdmin):
    list_display = ("started_at", "mode", "examined", "bound", "ambiguous", "finished_at", "error")

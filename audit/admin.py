from django.contrib import admin

from voipadmin.admin import LargeTableAdmin

from .models import AuditRecord, ServerEvent, WebAccess


@admin.register(WebAccess)
class WebAccessAdmin(LargeTableAdmin):
    list_display = ("time", "principal", "ip", "outcome", "user_agent")
    list_filter = ("outcome",)
    date_hierarchy = None


@admin.register(AuditRecord)
class AuditRecordAdmin(LargeTableAdmin):
    list_display = ("time", "actor_kind", "actor_name", "action", "statement", "ip")
    list_filter = ("action", "actor_kind")


@admin.register(ServerEvent)
class ServerEventAdmin(LargeTableAdmin):
    list_display = ("time", "event_type", "username", "ip", "description")
    list_filter = ("event_type",)

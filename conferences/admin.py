from django.contrib import admin

from voipadmin.admin import LargeTableAdmin

from .models import ConferenceEvent, ConferenceSession, Endpoint


@admin.register(ConferenceSession)
class ConferenceSessionAdmin(LargeTableAdmin):
    list_display = ("session_id", "name", "owner", "started_at", "ended_at", "participant_count")


@admin.register(Endpoint)
class EndpointAdmin(LargeTableAdmin):
    list_display = ("endpoint_id", "username", "application", "version", "os", "last_seen")


@admin.register(ConferenceEvent)
class ConferenceEventAdmin(LargeTableAdmin):
    list_display = ("timestamp", "type", "session_ref", "event_id")

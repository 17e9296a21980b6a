from django.contrib import admin
from django.utils import timezone

from audit.services import audited_update
from voipadmin.admin import LargeTableAdmin

from .models import Account, RegistrationBinding


def _set_active(active: bool):
    """Bulk (de)activation through the audited update: one audit record and event per account."""

    @admin.action(description=f"{'Activate' if active else 'Deactivate'} the selected accounts", permissions=["change"])
    def action(modeladmin, request, queryset):
        # updated_at by hand: update() skips auto_now, and the monitoring poll follows edits by it
        changed = audited_update(queryset, active=active, updated_at=timezone.now())
        modeladmin.message_user(request, f"{changed} accounts {'activated' if active else 'deactivated'}.")

    action.__name__ = f"{'activate' if active else 'deactivate'}_active"
    return action


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ("username", "display_name", "first_name", "last_name", "department", "extension", "active")
    actions = [_set_active(True), _set_active(False)]
    show_full_result_count = False
    list_filter = ("active",)
    search_fields = ("username", "display_name", "last_name", "extension")
    # The username is the key the server's feeds upsert by; bindings and SIP events copy it.
    readonly_fields = ("username", "created_at", "updated_at")

    def get_readonly_fields(self, request, obj=None):
        return ("created_at", "updated_at") if obj is None else self.readonly_fields


@admin.register(RegistrationBinding)
class RegistrationBindingAdmin(LargeTableAdmin):
    list_display = ("registered_at", "username", "contact", "remote_ip", "remote_port", "transport", "expires_at")
    list_select_related = ("account",)

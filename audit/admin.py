from django.apps import apps
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from voipadmin.admin import LargeTableAdmin

from .auth import ConsoleAdminAuthenticationForm
from .models import AuditRecord, LoginLockout, ServerEvent, WebAccess
from .services import audited_update
from .services.lockout import lockout_unlock

# The admin's login counts failed passwords and tells a locked login so, like the console's.
admin.site.login_form = ConsoleAdminAuthenticationForm


@admin.register(WebAccess)
class WebAccessAdmin(LargeTableAdmin):
    list_display = ("time", "principal", "ip", "outcome", "user_agent")
    list_filter = ("outcome",)
    date_hierarchy = None


@admin.register(AuditRecord)
class AuditRecordAdmin(LargeTableAdmin):
    """Read-only, like the table itself (the database refuses updates; see audit/services/chain.py)."""

    list_display = ("time", "actor_kind", "actor_name", "action", "statement", "ip", "seq")
    list_filter = ("action", "actor_kind")


@admin.register(ServerEvent)
class ServerEventAdmin(LargeTableAdmin):
    list_display = ("time", "event_type", "username", "ip", "description")
    list_filter = ("event_type",)


@admin.action(description="Unlock the selected logins", permissions=["change"])
def unlock_logins(modeladmin, request, queryset):
    unlocked = sum(lockout_unlock(username=name) for name in queryset.values_list("username", flat=True))
    modeladmin.message_user(request, f"{unlocked} login(s) unlocked.", messages.SUCCESS)


@admin.register(LoginLockout)
class LoginLockoutAdmin(admin.ModelAdmin):
    list_display = ("username", "failures", "locked_until", "locked_at", "unlocked_at")
    search_fields = ("username",)
    readonly_fields = (
        "username",
        "failures",
        "locked_until",
        "locked_at",
        "lock_attempt",
        "unlocked_at",
        "updated_at",
    )
    actions = [unlock_logins]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


def _set_active(field: str, active: bool, label: str):
    @admin.action(description=f"{'Activate' if active else 'Deactivate'} the selected {label}", permissions=["change"])
    def action(modeladmin, request, queryset):
        changed = audited_update(queryset, **{field: active})
        modeladmin.message_user(request, f"{changed} {label} {'activated' if active else 'deactivated'}.")

    action.__name__ = f"{'activate' if active else 'deactivate'}_{field}"
    return action


@admin.action(description="Unlock the selected users' logins", permissions=["change"])
def unlock_users(modeladmin, request, queryset):
    unlocked = sum(lockout_unlock(username=user.get_username()) for user in queryset)
    modeladmin.message_user(request, f"{unlocked} login(s) unlocked.", messages.SUCCESS)


user_model = get_user_model()
if admin.site.is_registered(user_model):
    admin.site.unregister(user_model)


@admin.register(user_model)
class ConsoleUserAdmin(UserAdmin):
    """Django's user admin plus unlocking and audited bulk (de)activation."""

    actions = [unlock_users, _set_active("is_active", True, "users"), _set_active("is_active", False, "users")]


# Until the registrations app brings its own account admin (it is registered first when it
# does), accounts can be edited here; the audit log captures every change either way.
Account = apps.get_model("registrations", "Account") if apps.is_installed("registrations") else None
if Account is not None and not admin.site.is_registered(Account):

    @admin.register(Account)
    class AccountAdmin(admin.ModelAdmin):
        list_display = ("username", "display_name", "department", "extension", "active")
        search_fields = ("username", "display_name", "extension")
        actions = [_set_active("active", True, "accounts"), _set_active("active", False, "accounts")]
        show_full_result_count = False

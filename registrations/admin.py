from django.contrib import admin

from voipadmin.admin import LargeTableAdmin

from .models import Account, RegistrationBinding


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ("username", "display_name", "first_name", "last_name", "department", "extension", "active")
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

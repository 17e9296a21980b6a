import zoneinfo

from django import forms
from django.conf import settings
from django.contrib import admin
from import_export.admin import ImportMixin
from import_export.forms import ConfirmImportForm, ImportForm

from voipadmin.admin import LargeTableAdmin

from .models import Cdr, ImportCursor
from .resources import AsteriskMasterCsv, CdrImportResource
from .services.asterisk_csv import zone_named


def _zones() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


class CdrImportForm(ImportForm):
    time_zone = forms.ChoiceField(
        choices=_zones,
        help_text="The zone the file's times are written in: the PBX's own, or UTC when cdr.conf says usegmtime=yes.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].initial = settings.TIME_ZONE


class CdrConfirmImportForm(ConfirmImportForm):
    time_zone = forms.ChoiceField(choices=_zones, widget=forms.HiddenInput())


@admin.register(Cdr)
class CdrAdmin(ImportMixin, LargeTableAdmin):
    """Read-only changelist that never counts the table, plus Import of a Master.csv with a preview."""

    list_display = ("start", "src", "dst", "clid", "disposition", "duration", "billsec", "uniqueid")
    list_filter = ("disposition",)
    resource_classes = [CdrImportResource]
    import_formats = [AsteriskMasterCsv]
    import_form_class = CdrImportForm
    confirm_form_class = CdrConfirmImportForm
    # One audit record per import (CdrImportResource.after_import), not one log entry per row.
    skip_admin_log = True

    def has_import_permission(self, request) -> bool:
        return request.user.has_perm("cdr.add_cdr")

    def get_import_resource_kwargs(self, request, **kwargs):
        form = kwargs.get("form")
        zone = getattr(form, "cleaned_data", {}).get("time_zone") if form is not None else None
        return {"zone": zone_named(zone)} if zone else {}

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            initial["time_zone"] = import_form.cleaned_data["time_zone"]
        return initial


@admin.register(ImportCursor)
class ImportCursorAdmin(LargeTableAdmin):
    list_display = ("path", "line", "offset", "inode", "updated_at")

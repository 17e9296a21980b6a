"""Admin pieces for tables of hundreds of millions of rows, and the console's own models."""

from django.contrib import admin
from django.core.paginator import Paginator
from django.utils.functional import cached_property

from .models import DeletionJob, Preference
from .reports.counting import estimate_rows


class EstimatedCountPaginator(Paginator):
    """The planner's estimate instead of COUNT(*) (which would scan the whole table per view)."""

    @cached_property
    def count(self) -> int:
        estimate = estimate_rows(self.object_list)
        if estimate is None:
            return super().count
        return estimate


class LargeTableAdmin(admin.ModelAdmin):
    """Read-only changelist that never counts the table."""

    paginator = EstimatedCountPaginator
    show_full_result_count = False
    list_per_page = 50

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        # Deletion goes through the report's filtered delete, which is batched and audited.
        return False


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "time_zone", "csv_delimiter", "csv_encoding")
    list_select_related = ("user",)


@admin.register(DeletionJob)
class DeletionJobAdmin(LargeTableAdmin):
    list_display = ("created_at", "report", "description", "requested_by", "state", "deleted", "protected")
    list_filter = ("state", "report")

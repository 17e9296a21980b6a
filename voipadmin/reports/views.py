"""The web half of the report machine: list, detail, export and filtered delete, for any report."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.views import View

from voipadmin.models import DeletionJob
from voipadmin.preferences import zone_of
from voipadmin.request_context import current

from .caching import remembered
from .cells import detail_fields
from .counting import RowCount, list_count
from .definition import Report, get_report
from .deletion import deletion_job_create, deletion_preview, deletion_selection
from .export import export_response
from .filters import FilterError, select
from .keyset import order_queryset
from .paging import page_links, page_size_links, query_without, report_ordering, report_page
from .reads import mark_response, replica_reads
from .table import ListTable, RowCells


class ReportView(View):
    report: Report
    # Lists, details and exports read from the replica (when there is one); the delete
    # confirmation counts on the primary.
    reads_replica = True

    def dispatch(self, request: HttpRequest, *args, **kwargs):
        if not request.user.has_perm(self.report.view_permission):
            raise PermissionDenied
        if not self.reads_replica:
            return super().dispatch(request, *args, **kwargs)
        with replica_reads(request) as source:
            return mark_response(super().dispatch(request, *args, **kwargs), source)

    def base_context(self, request: HttpRequest) -> dict:
        user = request.user
        return {
            "report": self.report,
            "can_export": user.has_perm(self.report.export_permission),
            "can_delete": self.report.can_delete and user.has_perm(self.report.delete_permission),
            "extra_actions": [
                (action.label, action.url()) for action in self.report.extra_actions if action.allowed(user)
            ],
        }


class ReportListView(ReportView):
    def get(self, request: HttpRequest) -> HttpResponse:
        report = self.report
        context = self.base_context(request)
        params = request.GET
        try:
            selection = select(report, params)
            page = report_page(report, report.listed_queryset(selection.queryset, request.user), params)
            ordering = page.ordering
        except FilterError as error:
            filterset = report.filterset(params, queryset=report.base_queryset())
            context.update(
                filterset=filterset, errors=error.errors, rows=[], headers=self.headers(params, None, request.user)
            )
            return render(request, report.list_template, context, status=400)
        zone = timezone.get_current_timezone_name()
        filter_query = selection.filter_query()
        # The whole selection on one page is its own exact count; else a count that stops at the cap.
        if page.is_first and page.next_cursor is None:
            row_count = RowCount(value=len(page.rows), exact=True)
        else:
            row_count = list_count(
                selection.queryset, key=(report.slug, zone, filter_query), at_least=len(page.rows) + 1
            )
        columns = [(column, column.title(report.model)) for column in report.listed_columns(request.user)]
        context.update(
            filterset=selection.filterset,
            selection=selection,
            active_filters=selection.active_filters(),
            page=page,
            headers=self.headers(params, ordering, request.user),
            rows=RowCells(report, columns, page.rows),
            table_body=ListTable(report, columns).body(page.rows),
            chips=selection.chips(),
            row_count=row_count,
            query=query_without(params, "after", "before", "page"),
            filter_query=filter_query,
            links=self.page_links(params, page),
            page_sizes=page_size_links(params),
        )
        context["filter_bar"] = self.filter_bar(request, context, zone)
        if report.list_context is not None:
            context.update(report.list_context(selection))
        return render(request, report.list_template, context)

    def filter_bar(self, request: HttpRequest, context: dict, zone: str) -> str:
        """The filter form, drawn once a minute per query string: its time presets start from the
        viewer's current minute, Delete shows by permission, labels are in the viewer's language."""
        minute = timezone.localtime().strftime("%Y-%m-%d %H:%M")
        parts = ("filters", self.report.slug, request.GET.urlencode(), context["can_delete"])
        parts += (get_language(), zone, minute)
        return remembered(parts, lambda: mark_safe(render_to_string("reports/_filters.html", context, request)))  # noqa: S308 a template's output

    def headers(self, params, ordering, user) -> list[dict]:
        report = self.report
        headers = []
        for column in report.listed_columns(user):
            header = {"title": column.title(report.model), "sort_url": None, "state": ""}
            if column.sortable:
                descending_now = ordering is not None and ordering.field == column.field and ordering.descending
                active = ordering is not None and ordering.field == column.field
                target = column.field if (active and descending_now) else f"-{column.field}"
                if not active:
                    # first click on a time column shows newest first, on text columns A..Z
                    field = column.model_field(report.model)
                    target = f"-{column.field}" if isinstance(field, models.DateTimeField) else column.field
                query = params.copy()
                for name in ("after", "before", "page"):
                    query.pop(name, None)
                query["o"] = target
                header["sort_url"] = "?" + query.urlencode()
                header["state"] = ("desc" if descending_now else "asc") if active else ""
            headers.append(header)
        return headers

    def page_links(self, params, page) -> dict:
        return page_links(params, page)


class ReportDetailView(ReportView):
    def get(self, request: HttpRequest, pk: str) -> HttpResponse:
        report = self.report
        try:
            row = get_object_or_404(report.base_queryset(), pk=pk)
        except (ValueError, models.ObjectDoesNotExist):
            raise Http404 from None
        context = self.base_context(request)
        context.update(row=row, fields=detail_fields(row))
        if report.detail_context is not None:
            context.update(report.detail_context(row))
        # The side panel is the same template on a bare shell, so a report's own detail_extra
        # shows there too (a partial of the parent template would not see the child's blocks).
        panel = bool(request.GET.get("panel"))
        context.update(panel=panel, detail_base="reports/panel.html" if panel else "base.html")
        return render(request, report.detail_template, context)


class ReportExportView(ReportView):
    def get(self, request: HttpRequest) -> HttpResponse:
        report = self.report
        if not request.user.has_perm(report.export_permission):
            raise PermissionDenied
        params = request.GET
        try:
            selection = select(report, params)
            ordering = report_ordering(report, params)
        except FilterError as error:
            return HttpResponseBadRequest(f"Cannot export: {error.summary()}\n", content_type="text/plain")
        preference = request.preference
        queryset = order_queryset(selection.queryset, ordering)
        return export_response(
            report,
            queryset,
            zone_name=str(zone_of(preference)),
            delimiter=preference.csv_delimiter,
            encoding=preference.csv_encoding,
        )


class ReportDeleteView(ReportView):
    template_name = "reports/delete_confirm.html"
    reads_replica = False

    def dispatch(self, request: HttpRequest, *args, **kwargs):
        if not (self.report.can_delete and request.user.has_perm(self.report.delete_permission)):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        context = self.base_context(request)
        try:
            selection = deletion_selection(self.report, request.GET)
        except FilterError as error:
            context.update(errors=error.errors, back_query=request.GET.urlencode())
            return render(request, self.template_name, context, status=400)
        context.update(
            selection=selection,
            active_filters=selection.active_filters(),
            preview=deletion_preview(self.report, selection),
            filter_query=selection.filter_query(),
        )
        return render(request, self.template_name, context)

    def post(self, request: HttpRequest) -> HttpResponse:
        try:
            selection = deletion_selection(self.report, request.GET)
        except FilterError as error:
            context = self.base_context(request)
            context.update(errors=error.errors, back_query=request.GET.urlencode())
            return render(request, self.template_name, context, status=400)
        expected = request.POST.get("expected")
        job = deletion_job_create(
            report=self.report,
            selection=selection,
            expected=int(expected)
            if expected and expected.isascii() and expected.isdigit() and len(expected) < 19
            else None,
            context=current(),
        )
        messages.info(request, f"Deleting from {self.report.title}: {job.description}.")
        return redirect("deletion-job", pk=job.pk)


def deletion_job_view(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(DeletionJob, pk=pk)
    report = get_report(job.report)
    if not request.user.has_perm(report.delete_permission):
        raise PermissionDenied
    back = reverse(report.url_name("list")) + (f"?{job.query}" if job.query else "")
    return render(request, "reports/deletion_job.html", {"job": job, "report": report, "back": back})

"""What a report is: a model, a FilterSet, columns and a default order. Everything else is shared."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import QuerySet
from django.urls import reverse

from .charts import Chart
from .filters import ReportFilterSet, Selection


@dataclass(frozen=True)
class Column:
    """One column of a report, on a field of the model or a related one (`account__username`).

    A column sorts by its stored value with the key as tie-breaker (keyset pages); on a big table
    it is fast when an index on (field, pk) serves it (docs/reports.md lists those that are not). `text` words
    a cell differently from the stored value (a "Play" button, "mode (multicast)"); the CSV
    export keeps the stored value. A column with `listed=False` is exported but not shown in the
    list (the full record in the export, not a page too wide to read).
    """

    field: str
    label: str = ""
    sortable: bool = True
    link: Callable[[Any], str | None] | None = None
    export: bool = True
    hint: Callable[[Any], str] | None = None
    text: Callable[[Any], str] | None = None
    # A CSS class from the row, beside `text` (a state made of two flags).
    css: Callable[[Any], str] | None = None
    # False: a column of the CSV export only (the port and transport beside an address cell).
    listed: bool = True
    permission: str = ""
    # What the CSV export carries instead of the stored `field`, as a text expression computed in
    # the export's SELECT, so the file keeps what the list shows (the audit log's `kind:id:sub id:name`).
    export_as: Any = None
    # The field of a column on an annotation of the report's queryset (not a model field).
    output: models.Field | None = None
    # A number the importer derives below zero when the source had none (a CDR's sequence): the
    # export shows what the source wrote, an empty cell then.
    negative_is_blank: bool = False
    # The CSV header when the file carries another unit than the list (`Duration (s)` beside h:mm:ss).
    export_label: str = ""
    # The fields `text`, `link`, `hint` and `css` read besides `field` (their row's own or through a
    # relation, `caller__username`); None: not said, and the list then reads whole rows. When every
    # shown column says, the list reads only those (a CDR has 26 fields, its list shows 12).
    reads: tuple[str, ...] | None = None

    def list_fields(self) -> tuple[str, ...] | None:
        """The stored fields the list cell of this column reads, or None when not known."""
        own = () if self.output is not None else (self.field,)
        if self.text is None and self.link is None and self.hint is None and self.css is None:
            return own
        return None if self.reads is None else (*own, *self.reads)

    def shown_to(self, user) -> bool:
        return self.listed and (not self.permission or (user is not None and user.has_perm(self.permission)))

    def model_field(self, model: type[models.Model]) -> models.Field:
        if self.output is not None:
            return self.output
        opts = model._meta
        parts = self.field.split("__")
        for part in parts[:-1]:
            opts = opts.get_field(part).related_model._meta
        return opts.get_field(parts[-1])

    def title(self, model: type[models.Model]) -> str:
        if self.label:
            return self.label
        name = self.model_field(model).verbose_name
        return name[:1].upper() + name[1:]


@dataclass(frozen=True)
class Action:
    """A button beside Export on a report's list page (a page of the app's own), by URL name so the
    report can be defined before the URLconf loads; shown only to users who hold `permission`."""

    label: str
    url_name: str
    permission: str = ""

    def allowed(self, user) -> bool:
        return not self.permission or user.has_perm(self.permission)

    def url(self) -> str:
        return reverse(self.url_name)


DeleteHook = Callable[[list[Any]], dict[str, int]]
BatchHook = Callable[[Any, list[Any]], None]
DetailsHook = Callable[[Any], dict]


@dataclass
class Report:
    slug: str
    title: str
    model: type[models.Model]
    filterset: type[ReportFilterSet]
    columns: Sequence[Column]
    default_order: str
    delete_event: str
    menu_group: str = "Reports"
    menu_order: int = 100
    queryset: Callable[[], QuerySet] | None = None
    # Narrows a selection to the rows the rules let go (running sessions stay, ...).
    deletable: Callable[[QuerySet], QuerySet] | None = None
    # Removes what goes with a batch of rows; returns {server event type: rows removed}.
    on_delete_batch: DeleteHook | None = None
    # Runs in a batch's transaction before its rows go: (job, keys) -> None (e.g. the audit chain's gaps).
    before_delete_batch: BatchHook | None = None
    # Extra details for the deletion's audit record: job -> dict.
    delete_details: DetailsHook | None = None
    detail_template: str = "reports/detail.html"
    detail_context: Callable[[Any], dict] | None = None
    empty_help: str = ""
    can_delete: bool = True
    description: str = ""
    api_fields: Sequence[str] | None = None
    extra_actions: Sequence[Action] = field(default_factory=tuple)
    # The list page's template (extend reports/list.html) and extra context for it, computed from
    # the validated selection (e.g. a summary strip); the page must stay cheap, as the list is.
    list_template: str = "reports/list.html"
    list_context: Callable[[Selection], dict] | None = None
    # The model whose view/delete permissions guard the report, when not its rows' own (Registered
    # Accounts lists accounts but is guarded as the bindings it is made of).
    permission_model: type[models.Model] | None = None
    # Bars of the selection above the table, and chart/ chart.svg chart.json beside the list.
    chart: Chart | None = None

    def __post_init__(self) -> None:
        sortable = {column.field for column in self.columns if column.sortable}
        key = self.default_order.lstrip("-")
        if key not in sortable and key != "pk":
            raise ValueError(f"report {self.slug}: default order {key!r} is not a sortable column")
        for column in self.columns:
            if column.sortable and not column.listed:
                raise ValueError(f"report {self.slug}: {column.field} is sortable but not listed")
            if column.permission and column.export:
                raise ValueError(f"report {self.slug}: {column.field} is shown by permission but exported")
        register(self)

    # -- queries
    def base_queryset(self) -> QuerySet:
        if self.queryset is not None:
            return self.queryset()
        return self.model._default_manager.all()

    def with_related(self, queryset: QuerySet) -> QuerySet:
        """select_related for the FK paths the columns read: a page is one query, not one per row."""
        paths = self._related_paths(column.field for column in self.columns if column.output is None)
        return queryset.select_related(*paths) if paths else queryset

    def listed_queryset(self, queryset: QuerySet, user=None) -> QuerySet:
        """The list page's rows: the related rows its cells read in the same query and, when every
        shown column says what it reads (`Column.reads`), only those fields."""
        wanted = [column.list_fields() for column in self.listed_columns(user)]
        if any(fields is None for fields in wanted):
            return self.with_related(queryset)
        fields = sorted({name for names in wanted for name in names})
        paths = self._related_paths(fields)
        narrowed = queryset.select_related(*paths) if paths else queryset
        return narrowed.only(*sorted({*fields, *paths}))

    def _related_paths(self, fields) -> list[str]:
        """The to-one relations along each field path (`caller` for `caller__username`)."""
        paths = set()
        for path in fields:
            parts = path.split("__")
            opts = self.model._meta
            for depth, part in enumerate(parts):
                field = opts.get_field(part)
                if not field.is_relation or field.many_to_many or field.one_to_many:
                    break
                paths.add("__".join(parts[: depth + 1]))
                opts = field.related_model._meta
        return sorted(paths)

    def listed_columns(self, user=None) -> list[Column]:
        """The list page's columns for `user`; without one, none of those kept for a permission."""
        return [column for column in self.columns if column.shown_to(user)]

    def search_paths(self) -> list[str]:
        """What the quick search reads: every column a person sees or exports (not the buttons)."""
        return list(dict.fromkeys(column.field for column in self.columns if column.export))

    def sortable_fields(self) -> list[str]:
        return [column.field for column in self.columns if column.sortable]

    # -- permissions
    @property
    def view_permission(self) -> str:
        opts = (self.permission_model or self.model)._meta
        return f"{opts.app_label}.view_{opts.model_name}"

    @property
    def delete_permission(self) -> str:
        opts = (self.permission_model or self.model)._meta
        return f"{opts.app_label}.delete_{opts.model_name}"

    export_permission = "voipadmin.export_reports"

    # -- URLs
    @property
    def urls(self):
        from .urls import report_patterns

        return report_patterns(self), self.slug

    def url_name(self, view: str) -> str:
        return f"{self.slug}:{view}"


_registry: dict[str, Report] = {}


def register(report: Report) -> None:
    if report.slug in _registry and _registry[report.slug] is not report:
        raise ValueError(f"two reports are called {report.slug!r}")
    _registry[report.slug] = report


def get_report(slug: str) -> Report:
    return _registry[slug]


def all_reports() -> list[Report]:
    return sorted(_registry.values(), key=lambda report: (report.menu_order, report.title))

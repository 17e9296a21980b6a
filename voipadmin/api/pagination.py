"""DRF pagination on the report machine's keyset: `results` plus `next` / `previous` links."""

from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from voipadmin.reports.paging import report_page


class KeysetPagination(BasePagination):
    """Reads `o`, `after`, `before` and `page=last` exactly like the web pages."""

    def paginate_queryset(self, queryset, request, view=None):
        self.page = report_page(view.report, queryset, request.query_params)
        self.request = request
        return self.page.rows

    def _link(self, name: str, cursor: str | None) -> str | None:
        if cursor is None:
            return None
        url = self.request.build_absolute_uri()
        for param in ("after", "before", "page"):
            url = remove_query_param(url, param)
        return replace_query_param(url, name, cursor)

    def get_paginated_response(self, data):
        return Response(
            {
                "next": self._link("after", self.page.next_cursor),
                "previous": self._link("before", self.page.previous_cursor),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["results"],
            "properties": {
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": "o",
                "in": "query",
                "required": False,
                "schema": {"type": "string"},
                "description": "Sort: a column name, or -name for descending.",
            },
            {
                "name": "after",
                "in": "query",
                "required": False,
                "schema": {"type": "string"},
                "description": "Cursor from `next`.",
            },
            {
                "name": "before",
                "in": "query",
                "required": False,
                "schema": {"type": "string"},
                "description": "Cursor from `previous`.",
            },
            {
                "name": "page",
                "in": "query",
                "required": False,
                "schema": {"type": "string", "enum": ["last"]},
                "description": "`last` for the last page.",
            },
        ]

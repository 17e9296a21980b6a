"""The one report machine (DESIGN.md): a report is a FilterSet, columns and a default order."""

from .definition import Action, Column, Report, all_reports, get_report
from .filters import FilterError, ReportFilterSet, select, validated_filterset

__all__ = [
    "Action",
    "Column",
    "FilterError",
    "Report",
    "ReportFilterSet",
    "all_reports",
    "get_report",
    "select",
    "validated_filterset",
]

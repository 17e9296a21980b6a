"""The audit app's reports, as configuration of the report machine."""

from urllib.parse import urlencode

from django.urls import reverse

from voipadmin.reports import Column, Report

from .filters import WebAccessFilter
from .models import WebAccess


def _principal_history(row: WebAccess) -> str:
    return reverse("web-sessions:list") + "?" + urlencode({"principal": row.principal})


web_sessions = Report(
    slug="web-sessions",
    title="Web Sessions",
    description="Every access to this console: logins, failed logins (the login typed is kept, "
    "the password never), logouts.",
    model=WebAccess,
    filterset=WebAccessFilter,
    columns=[
        Column("time", "Date"),
        Column("principal", link=_principal_history),
        Column("ip"),
        Column("outcome", "Event type", hint=lambda row: row.reason),
        Column("user_agent"),
    ],
    default_order="-time",
    delete_event="delete_web_sessions",
    menu_group="Console",
    menu_order=80,
)

"""Registered Accounts (online now) and Registration History, as report machine configuration."""

from urllib.parse import urlencode

from django.db.models import QuerySet
from django.urls import reverse

from voipadmin.reports import Column, Report

from .filters import HistoryFilter, RegisteredFilter
from .models import RegistrationBinding
from .selectors import live_bindings, live_q


def account_url(row: RegistrationBinding) -> str:
    return reverse("account-detail", args=[row.account_id])


def sip_history_url(row: RegistrationBinding) -> str:
    return reverse("sip-sessions:list") + "?" + urlencode({"username": row.username})


def _address_columns() -> list[Column]:
    return [
        Column("remote_ip", "Address", text=lambda row: row.remote_address),
        Column("remote_port", listed=False, sortable=False),
        Column("transport", listed=False, sortable=False),
    ]


registered_accounts = Report(
    slug="registrations",
    title="Registered Accounts",
    description="Every account online now: a registration binding not yet expired nor removed. "
    "Click an Id for the account's details, bindings and last SIP events.",
    model=RegistrationBinding,
    queryset=live_bindings,
    filterset=RegisteredFilter,
    columns=[
        Column("account", "Id", link=account_url, text=lambda row: str(row.account_id)),
        Column("username", link=sip_history_url),
        Column("account__display_name", "Name", sortable=False),
        Column("account__department", "Department", sortable=False),
        Column("contact"),
        *_address_columns(),
        Column("user_agent"),
        Column("registered_at", "Since"),
        Column("expires_at", "Expires"),
    ],
    default_order="username",
    delete_event="delete_registrations",
    # Live bindings are the server's current state, not history: they are not deleted from here.
    can_delete=False,
    menu_group="SIP",
    menu_order=20,
    detail_template="registrations/binding_detail.html",
    empty_help="No account is registered now.",
)


def _ended(queryset: QuerySet) -> QuerySet:
    """Only bindings that are over may go: the live ones are who is online now."""
    return queryset.exclude(live_q())


registration_history = Report(
    slug="registration-history",
    title="Registration History",
    description="Every registration binding, live or ended: when each contact registered, from "
    "where, and how it ended. Reconciliation binds SIP events with these rows.",
    model=RegistrationBinding,
    filterset=HistoryFilter,
    columns=[
        Column("registered_at", "Since"),
        Column("account", "Id", link=account_url, text=lambda row: str(row.account_id)),
        Column("username", link=sip_history_url),
        Column("contact"),
        *_address_columns(),
        Column("user_agent"),
        Column("expires_at", "Expires"),
        Column("removed_at", "Ended", hint=lambda row: row.removed_reason),
    ],
    default_order="-registered_at",
    delete_event="delete_registrations",
    deletable=_ended,
    menu_group="SIP",
    menu_order=30,
    detail_template="registrations/binding_detail.html",
)

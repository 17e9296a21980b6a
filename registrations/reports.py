"""Registered Accounts (online now) and Registration History, as report machine configuration."""

from urllib.parse import urlencode

from django.db import models
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.html import format_html_join

from voipadmin.reports import Column, Report
from voipadmin.reports.charts import Chart, binding_end
from voipadmin.reports.links import page_url

from .filters import HistoryFilter, RegisteredFilter
from .models import Account, RegistrationBinding
from .selectors import live_q, online_accounts


def account_url(row: RegistrationBinding) -> str:
    return page_url("account-detail", row.account_id)


def sip_history_url(row: RegistrationBinding) -> str:
    return page_url("sip-sessions:list") + "?" + urlencode({"username": row.username})


def _address_columns() -> list[Column]:
    return [
        Column("remote_ip", "Address", text=lambda row: row.remote_address),
        Column("remote_port", listed=False, sortable=False),
        Column("transport", listed=False, sortable=False),
    ]


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def contacts_cell(account: Account) -> str:
    """Each live contact of the account on a line of the cell: desk phone, softphone, ..."""
    return format_html_join(
        "",
        '<div class="contact" data-contact><span class="mono">{}</span> · <span class="mono">{}</span> · {} · '
        '<span class="muted">until</span> <span class="time">{}</span></div>',
        (
            (binding.contact, binding.remote_address, binding.user_agent or "—", _local(binding.expires_at))
            for binding in account.live_contacts
        ),
    )


def online_detail_context(account: Account) -> dict:
    return {"bindings": account.live_contacts}


registered_accounts = Report(
    slug="registrations",
    title="Registered Accounts",
    description="Every account online now, one row each with all its live contacts (desk phone, softphone, ...): "
    "a registration binding not yet expired nor removed. Click an Id for the account's page.",
    model=Account,
    permission_model=RegistrationBinding,
    queryset=online_accounts,
    filterset=RegisteredFilter,
    columns=[
        Column("id", "Id", link=lambda row: page_url("account-detail", row.pk), text=lambda row: str(row.pk)),
        Column(
            "username", link=lambda row: page_url("sip-sessions:list") + "?" + urlencode({"username": row.username})
        ),
        Column("display_name", "Name"),
        Column("department"),
        Column("extension"),
        # sorted by how many; the CSV has them all in `contact_list`, one line each
        Column("contacts", "Contacts", output=models.IntegerField(), text=contacts_cell),
        Column("since", "Since", output=models.DateTimeField()),
        Column("until", "Expires", output=models.DateTimeField()),
        Column(
            "contact_list",
            "Contacts (contact address user agent, expiry in UTC)",
            output=models.TextField(),
            listed=False,
            sortable=False,
        ),
    ],
    default_order="username",
    delete_event="delete_registrations",
    # Live bindings are the server's current state, not history: they are not deleted from here.
    can_delete=False,
    menu_group="SIP",
    menu_order=20,
    detail_template="registrations/online_detail.html",
    detail_context=online_detail_context,
    empty_help="No account is registered now.",
)


def _ended(queryset: QuerySet) -> QuerySet:
    """Only bindings that are over may go: the live ones are who is online now."""
    return queryset.exclude(live_q())


registration_history = Report(
    slug="registration-history",
    title="Registration History",
    description="Every registration binding, live or ended: when each contact registered, from "
    "where, and how it ended: unregistered, expired, moved to another address, its TCP/TLS/WS "
    "connection lost, or missing from its registrar's snapshot (resync). Reconciliation binds SIP "
    "events with these rows.",
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
        Column("removed_at", "Ended at", hint=lambda row: row.get_removed_reason_display()),
        Column("removed_reason", "Ended"),
        Column("registrar", listed=False, sortable=False),
    ],
    default_order="-registered_at",
    delete_event="delete_registrations",
    deletable=_ended,
    menu_group="SIP",
    menu_order=30,
    detail_template="registrations/binding_detail.html",
    # Accounts with a binding (of the selection) live at some moment of each interval.
    chart=Chart(
        title="Accounts online",
        time="registered_at",
        range_filters=("registered_at", "expires_at"),
        unit="accounts",
        kind="online",
        end=binding_end,
        distinct="account",
        overlap_filter="expires_at",
    ),
)

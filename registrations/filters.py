import ipaddress

import django_filters
from django.db.models import Exists, OuterRef, Q, QuerySet

from voipadmin.reports.filters import ReportFilterSet, path_condition
from voipadmin.reports.widgets import DateTimeRangeFilter

from .models import Account, EndReason, RegistrationBinding, Transport
from .selectors import live_bindings, live_q


def parse_address(text: str) -> tuple[str | None, int | None, str | None]:
    """`ip`, `ip:port`, `[v6]:port`, each optionally `/transport` -> (ip, port, transport).

    The ip is None when the text is not a whole address (then it is matched as a fragment).
    """
    text = text.strip()
    transport = None
    if "/" in text:
        text, _, named = text.rpartition("/")
        transport = named.strip().upper() or None
    host, port = text, None
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        if rest.startswith(":") and rest[1:].isdigit():
            port = int(rest[1:])
    elif text.count(":") == 1:
        host, _, tail = text.partition(":")
        if tail.isdigit():
            port = int(tail)
    try:
        return str(ipaddress.ip_address(host)), port, transport
    except ValueError:
        return None, port, transport


class RemoteAddressFilter(django_filters.CharFilter):
    """`203.0.113.7`, `203.0.113.7:5060`, `203.0.113.7:5060/udp`: exact parts use the indexes;
    anything else (`203.0.113.`) is matched as a fragment of the IP."""

    def __init__(self, *args, prefix: str = "", **kwargs):
        self.prefix = prefix
        kwargs.setdefault("label", "Remote address")
        kwargs.setdefault("help_text", "ip, ip:port or ip:port/transport")
        super().__init__(*args, **kwargs)

    def filter(self, queryset: QuerySet, value: str) -> QuerySet:
        if not value or not value.strip():
            return queryset
        ip, port, transport = parse_address(value)
        p = self.prefix
        if ip is None:
            fragment = value.strip().split("/")[0]
            if port is not None:
                fragment = fragment.rsplit(":", 1)[0]
            condition = Q(**{f"{p}remote_ip__icontains": fragment.strip("[]")})
        else:
            condition = Q(**{f"{p}remote_ip": ip})
        if port is not None:
            condition &= Q(**{f"{p}remote_port": port})
        if transport:
            condition &= Q(**{f"{p}transport": transport})
        return queryset.filter(condition)


class BindingFilter(ReportFilterSet):
    """Registration bindings (Registration History's base)."""

    username = django_filters.CharFilter(lookup_expr="icontains", label="Username")
    department = django_filters.CharFilter(field_name="account__department", lookup_expr="icontains")
    remote = RemoteAddressFilter()
    transport = django_filters.MultipleChoiceFilter(choices=Transport.choices)
    contact = django_filters.CharFilter(lookup_expr="icontains")
    user_agent = django_filters.CharFilter(lookup_expr="icontains", label="User agent")
    registered_at = DateTimeRangeFilter(label="Since")
    expires_at = DateTimeRangeFilter(label="Expires")

    search_fields = (
        "username",
        "account__display_name",
        "account__department",
        "account__extension",
        "contact",
        "remote_ip",
        "user_agent",
    )

    class Meta:
        model = RegistrationBinding
        fields = ["username", "department", "remote", "transport", "contact", "user_agent", "registered_at"]


class HistoryFilter(BindingFilter):
    """Registration History: every binding, live or ended."""

    STATES = [("live", "Live now"), ("ended", "Ended (unregistered, expired, moved, connection lost or resync)")]

    state = django_filters.ChoiceFilter(choices=STATES, method="by_state", label="State")
    removed_at = DateTimeRangeFilter(label="Ended at")
    removed_reason = django_filters.MultipleChoiceFilter(choices=EndReason.choices, label="Ended")

    def by_state(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        live = live_q()
        return queryset.filter(live) if value == "live" else queryset.exclude(live)

    class Meta(BindingFilter.Meta):
        fields = [*BindingFilter.Meta.fields, "expires_at", "removed_at", "removed_reason"]


def on_live_bindings(filter_class):
    """The same filter, over an account's live bindings: the account is listed when one of its
    contacts matches (an account online from two places shows once, with both)."""

    class OnLiveBindings(filter_class):
        def filter(self, queryset: QuerySet, value) -> QuerySet:
            base = live_bindings()
            narrowed = super().filter(base, value)
            if narrowed is base:
                return queryset
            return queryset.filter(Exists(narrowed.filter(account=OuterRef("pk"))))

    OnLiveBindings.__name__ = f"Live{filter_class.__name__}"
    return OnLiveBindings


# The binding fields a word of the quick search may match, as Registered Accounts shows them.
CONTACT_SEARCH = ("contact", "remote_ip", "remote_port", "transport", "user_agent")


class RegisteredFilter(ReportFilterSet):
    """Registered Accounts: accounts with a live binding; contact filters match any of its contacts."""

    username = django_filters.CharFilter(lookup_expr="icontains", label="Username")
    department = django_filters.CharFilter(lookup_expr="icontains")
    remote = on_live_bindings(RemoteAddressFilter)()
    transport = on_live_bindings(django_filters.MultipleChoiceFilter)(choices=Transport.choices, label="Transport")
    contact = on_live_bindings(django_filters.CharFilter)(lookup_expr="icontains", label="Contact contains")
    user_agent = on_live_bindings(django_filters.CharFilter)(lookup_expr="icontains", label="User agent")
    registered_at = on_live_bindings(DateTimeRangeFilter)(label="Since")
    expires_at = on_live_bindings(DateTimeRangeFilter)(label="Expires")

    search_fields = ("username", "display_name", "first_name", "last_name", "department", "extension")

    class Meta:
        model = Account
        fields = ["username", "department", "remote", "transport", "contact", "user_agent", "registered_at"]

    def word_condition(self, word: str) -> Q:
        """A word matches the account's own columns or any of its live contacts."""
        contact = Q()
        for path in CONTACT_SEARCH:
            contact |= path_condition(RegistrationBinding, path, word)
        matched = live_bindings().filter(contact, account=OuterRef("pk"))
        return super().word_condition(word) | Exists(matched)

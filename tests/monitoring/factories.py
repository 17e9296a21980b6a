import datetime

import factory
from django.utils import timezone

from monitoring.models import TerminalState, TerminalStateEvent
from tests.registrations.factories import AccountFactory


class _TerminalFieldsFactory(factory.django.DjangoModelFactory):
    """A registered, idle SIP phone in slot 1, pushed a minute ago."""

    class Meta:
        abstract = True

    account = factory.SubFactory(AccountFactory)
    terminal = 1
    kind = "sip"
    registered = True
    calls_ringing = 0
    calls_active = 0
    address = "192.168.10.20"
    model = "Yealink SIP-T46U"
    event_id = factory.Sequence(lambda n: f"term-{n}")
    timestamp = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(minutes=1))


class TerminalStateFactory(_TerminalFieldsFactory):
    class Meta:
        model = TerminalState

    updated_at = factory.LazyFunction(timezone.now)


class TerminalStateEventFactory(_TerminalFieldsFactory):
    class Meta:
        model = TerminalStateEvent

    received_at = factory.SelfAttribute("timestamp")


def live_binding(account, *, now=None, **fields):
    """A binding of the account registered an hour ago and live for another hour."""
    from tests.registrations.factories import BindingFactory

    now = now or timezone.now()
    values = {"registered_at": now - datetime.timedelta(hours=1), "expires_at": now + datetime.timedelta(hours=1)}
    return BindingFactory(account=account, **{**values, **fields})

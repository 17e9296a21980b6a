import datetime

import factory

from sip_sessions.models import SipEvent
from tests.registrations.factories import T0


class SipEventFactory(factory.django.DjangoModelFactory):
    """A CONNECT from 203.0.113.10:5060/UDP ten minutes after T0, pending reconciliation."""

    class Meta:
        model = SipEvent

    event_id = factory.Sequence(lambda n: f"sip-{n}")
    time = T0 + datetime.timedelta(minutes=10)
    event = "CONNECT"
    details = "connection opened"
    remote_ip = "203.0.113.10"
    remote_port = 5060
    transport = "UDP"
    username = ""

"""The SIP demo: the seed's figure (user 1932's network error) is reconciled to 1932, and the
warehouse adapters' events stay ambiguous."""

import datetime
import random

import pytest
from django.utils import timezone

from registrations import demo as registrations_demo
from sip_sessions import demo
from sip_sessions.models import SipEvent
from tests.registrations.factories import AccountFactory, BindingFactory

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)


def seed(scale: float = 0.05) -> None:
    """What `seed_demo --scale 0.05` does for these two apps (the same seeds, the same rngs)."""
    registrations_demo.seed(rng=random.Random("20261121-registrations"), scale=scale)
    demo.seed(rng=random.Random("20261121-sip_sessions"), scale=scale)


def figure() -> SipEvent:
    return SipEvent.objects.get(event="NETWORK_ERROR", details="Connection reset by peer", username="1932")


def test_the_demo_binds_1932s_network_error_and_leaves_the_nat_ambiguous():
    seed()
    assert SipEvent.objects.filter(event="NETWORK_ERROR", username="1932", reconciled=True).exists()
    # the warehouse's two-line adapters (two accounts at one address and port) are never guessed
    assert SipEvent.objects.filter(ambiguous=True, remote_ip__startswith="192.0.2.", remote_port=5060).exists()


def test_the_figure_lands_inside_a_binding_of_1932_however_long_ago_it_ended():
    now = timezone.now()
    mario = AccountFactory(username="1932")
    # lapsed two days ago (no NETWORK_ERROR of its own), and one registered a minute ago: too short
    old = BindingFactory(account=mario, registered_at=now - 30 * HOUR - 10 * HOUR, expires_at=now - 30 * HOUR)
    BindingFactory(account=mario, registered_at=now - datetime.timedelta(minutes=1), expires_at=now + HOUR,
                   remote_port=40112)  # fmt: skip
    demo.seed(rng=random.Random(1), scale=0.05)
    event = figure()
    assert event.reconciled and not event.ambiguous
    assert old.registered_at <= event.time <= old.expires_at - datetime.timedelta(minutes=1)


def test_no_figure_where_another_account_shares_the_address_then():
    now = timezone.now()
    BindingFactory(account=AccountFactory(username="1932"), registered_at=now - 30 * HOUR, expires_at=now + HOUR)
    BindingFactory(account=AccountFactory(username="1933"), registered_at=now - 30 * HOUR, expires_at=now + HOUR)
    demo.seed(rng=random.Random(1), scale=0.05)
    assert not SipEvent.objects.filter(event="NETWORK_ERROR").exists()

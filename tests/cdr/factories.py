import datetime

import factory

from cdr.models import Cdr
from registrations.models import Account

T0 = datetime.datetime(2026, 11, 10, 9, tzinfo=datetime.UTC)


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"phone{n}")
    extension = factory.Sequence(lambda n: str(100 + n))
    display_name = factory.Faker("name")


class CdrFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cdr

    uniqueid = factory.Sequence(lambda n: f"{1794301200 + n}.{n}")
    sequence = factory.Sequence(lambda n: n)
    linkedid = factory.SelfAttribute("uniqueid")
    src = "100"
    dst = "101"
    dcontext = "from-internal"
    clid = factory.LazyAttribute(lambda cdr: f'"Caller" <{cdr.src}>')
    channel = factory.LazyAttribute(lambda cdr: f"PJSIP/{cdr.src}-0000000a")
    dstchannel = factory.LazyAttribute(lambda cdr: f"PJSIP/{cdr.dst}-0000000b")
    lastapp = "Dial"
    lastdata = factory.LazyAttribute(lambda cdr: f"PJSIP/{cdr.dst},30")
    start = factory.Sequence(lambda n: T0 + datetime.timedelta(minutes=n))
    duration = 65
    billsec = 60
    answer = factory.LazyAttribute(lambda cdr: cdr.start + datetime.timedelta(seconds=cdr.duration - cdr.billsec))
    end = factory.LazyAttribute(lambda cdr: cdr.start + datetime.timedelta(seconds=cdr.duration))
    disposition = Cdr.Disposition.ANSWERED
    disposition_source = factory.LazyAttribute(lambda cdr: cdr.disposition.replace("_", " "))
    amaflags = Cdr.AmaFlags.DOCUMENTATION


def stored_fields(cdr: Cdr) -> dict:
    """Every stored field of a CDR but its id, by name (foreign keys as objects)."""
    return {field.name: getattr(cdr, field.name) for field in Cdr._meta.concrete_fields if field.name != "id"}

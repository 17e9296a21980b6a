import datetime

import factory

from registrations.models import Account, RegistrationBinding, Transport

T0 = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"{1100 + n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    display_name = factory.LazyAttribute(lambda account: f"{account.first_name} {account.last_name}")
    department = "Sales"
    extension = factory.SelfAttribute("username")


class BindingFactory(factory.django.DjangoModelFactory):
    """A binding of one hour from T0 at 203.0.113.10:5060/UDP unless told otherwise."""

    class Meta:
        model = RegistrationBinding

    account = factory.SubFactory(AccountFactory)
    username = factory.SelfAttribute("account.username")
    contact = factory.LazyAttribute(lambda binding: f"sip:{binding.account.username}@192.168.1.20:5060")
    remote_ip = "203.0.113.10"
    remote_port = 5060
    transport = Transport.UDP
    user_agent = "Yealink SIP-T46U 108.86.0.20"
    registered_at = T0
    refreshed_at = factory.SelfAttribute("registered_at")
    expires_at = factory.LazyAttribute(lambda binding: binding.registered_at + datetime.timedelta(hours=1))
    event_id = factory.Sequence(lambda n: f"reg-{n}")
    last_event_id = factory.SelfAttribute("event_id")

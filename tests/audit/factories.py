import datetime

import factory
from django.utils import timezone

from audit.models import WebAccess


class WebAccessFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WebAccess

    time = factory.Sequence(lambda n: timezone.now() - datetime.timedelta(minutes=n))
    outcome = WebAccess.Outcome.LOGIN
    principal = factory.Faker("user_name")
    entered_login = factory.SelfAttribute("principal")
    ip = factory.Faker("ipv4_private")
    user_agent = factory.Faker("user_agent")


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "registrations.Account"
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"acct{n}")
    display_name = factory.LazyAttribute(lambda account: account.username.title())
    department = "Sales"
    extension = factory.Sequence(lambda n: str(2000 + n))


class ServerEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "audit.ServerEvent"

    time = factory.Sequence(lambda n: timezone.now() - datetime.timedelta(minutes=n))
    event_type = "login"
    username = factory.Faker("user_name")

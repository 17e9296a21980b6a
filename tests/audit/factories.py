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

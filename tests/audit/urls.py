"""Test-only URLs: an account push endpoint shaped like the registrations app's (per-row save), and
a stand-in for its `/accounts/<id>/` page."""

from django.http import HttpResponse
from django.urls import include, path
from rest_framework import serializers
from rest_framework.routers import SimpleRouter

from audit.reports import config_changes
from audit.serializers import ConfigChangeSerializer
from registrations.models import Account
from tests.testapp.urls import urlpatterns as console_urls
from voipadmin.api.resources import ReportResource


class AccountItemSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=64)
    department = serializers.CharField(required=False, allow_blank=True)
    active = serializers.BooleanField(required=False)


def accounts_upsert(*, items: list[dict]) -> int:
    created = 0
    for item in items:
        account, was_created = Account.objects.get_or_create(username=item["username"])
        for name, value in item.items():
            setattr(account, name, value)
        account.save()
        created += was_created
    return created


class AccountPushResource(ReportResource):
    report = config_changes
    serializer_class = ConfigChangeSerializer
    ingest_serializer_class = AccountItemSerializer
    ingest = staticmethod(accounts_upsert)


router = SimpleRouter()
router.register("test-accounts", AccountPushResource, basename="test-accounts-api")
urlpatterns = [
    path("api/v1/", include(router.urls)),
    path("accounts/<int:pk>/", lambda request, pk: HttpResponse(f"account {pk}"), name="account-detail"),
    *console_urls,
]

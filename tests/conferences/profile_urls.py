"""The console's URLs plus the account profile page the registrations app will serve."""

from django.http import HttpResponse
from django.urls import path

from tests.testapp.urls import urlpatterns as console_urls

urlpatterns = [
    path("accounts/<int:pk>/", lambda request, pk: HttpResponse(f"account {pk}"), name="account-detail"),
    *console_urls,
]

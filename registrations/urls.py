from django.urls import include, path

from .reports import registered_accounts, registration_history
from .views import account_detail

urlpatterns = [
    path("registrations/", include(registered_accounts.urls)),
    path("registration-history/", include(registration_history.urls)),
    path("accounts/<int:pk>/", account_detail, name="account-detail"),
]

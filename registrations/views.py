from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from voipadmin.reports.reads import reads_from_replica

from .models import Account
from .selectors import account_page

# The page shows the account's bindings, SIP events and calls: each one's view right too.
ACCOUNT_PAGE_VIEW = (
    "registrations.view_account",
    "registrations.view_registrationbinding",
    "sip_sessions.view_sipevent",
    "cdr.view_cdr",
)


@reads_from_replica
@permission_required(ACCOUNT_PAGE_VIEW, raise_exception=True)
def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """`/accounts/<id>/`: an account's fields, current and past bindings, last SIP events."""
    account = get_object_or_404(Account, pk=pk)
    return render(request, "registrations/account_detail.html", account_page(account))

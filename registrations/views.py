from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from voipadmin.reports.reads import reads_from_replica

from .models import Account
from .selectors import account_page


@reads_from_replica
@permission_required("registrations.view_account", raise_exception=True)
def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """`/accounts/<id>/`: an account's fields, current and past bindings, last SIP events."""
    account = get_object_or_404(Account, pk=pk)
    return render(request, "registrations/account_detail.html", account_page(account))

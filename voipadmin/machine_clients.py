"""The web console is for people: a login that holds only the Ingest role (a machine client's user)
opens no console page, whatever view rights that role holds for the API.

The Ingest role reads accounts and terminal states back through the API (roles.py); the console's
pages built on those rights (an account's page, a user's diagnostics, the monitoring wall) also
show SIP events, calls and bindings. A machine client's password or session must not open them,
so every page but the API, login and logout answers 403 to such a login.
"""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from .roles import is_machine_client

OPEN_TO_MACHINE_CLIENTS = ("/api/v1/", "/login/", "/logout/")


class MachineClientsStayOutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(OPEN_TO_MACHINE_CLIENTS)
            and is_machine_client(user)
        ):
            raise PermissionDenied("A machine client's login opens no console page.")
        return self.get_response(request)

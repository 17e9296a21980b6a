"""What a measurement is given: the scale, the running server, logged-in clients, the log."""

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .client import Client
from .dataset import Scale
from .harness import Report
from .server import Server

USERNAME = "bench"
PASSWORD = "bench-Password-1"  # noqa: S105 - a throwaway superuser of the throwaway bench database
VIEWER_ZONE = "Europe/Rome"


@dataclass
class Context:
    scale: Scale
    server: Server
    database_url: str
    root: Path
    report: Report
    token: str
    log: Callable[[str], None] = print
    _browser: Client | None = field(default=None, repr=False)

    def browser(self) -> Client:
        """A person logged in through the login form (one session, shared by the measurements)."""
        if self._browser is None:
            self._browser = self.new_browser()
        return self._browser

    def new_browser(self) -> Client:
        client = Client(self.server.address)
        client.login(USERNAME, PASSWORD)
        return client

    def api(self) -> Client:
        """A machine client with the Ingest role's token."""
        return Client(self.server.address, token=self.token)


def prepare_users() -> str:
    """The superuser the measurements log in as (viewer zone Europe/Rome), and an ingest token."""
    import io

    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from voipadmin.preferences import preferences_for

    user = get_user_model().objects.create_superuser(USERNAME, "bench@example.invalid", PASSWORD)
    preference = preferences_for(user)
    preference.time_zone = VIEWER_ZONE
    preference.save()
    out = io.StringIO()
    call_command("create_ingest_token", "bench", stdout=out)
    return out.getvalue().strip()

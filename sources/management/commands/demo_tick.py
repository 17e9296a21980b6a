import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from sources.demo import demo_enabled, demo_tick


def _moment(text: str) -> datetime.datetime:
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--at: {text!r} is not an ISO 8601 time (e.g. 2026-12-04T10:30:00+00:00)") from None
    if timezone.is_naive(moment):
        raise CommandError(f"--at: {text!r} has no UTC offset")
    return moment


class Command(BaseCommand):
    help = "Play the demo source up to now once (what beat does every DEMO_INTERVAL seconds under make run)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--at",
            type=_moment,
            help="play up to this moment instead of now (ISO 8601 with its offset): a tick whose span "
            "does not depend on how long ago the demo was seeded",
        )

    def handle(self, *args, **options):
        if not demo_enabled():
            raise CommandError("The demo source is off: it runs with DEMO=1 and DEBUG=1 only (make run).")
        self.stdout.write(demo_tick(now=options["at"] or timezone.now()).text)

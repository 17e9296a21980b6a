from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from sources.demo import demo_enabled, demo_tick


class Command(BaseCommand):
    help = "Play the demo source up to now once (what beat does every DEMO_INTERVAL seconds under make run)."

    def handle(self, *args, **options):
        if not demo_enabled():
            raise CommandError("The demo source is off: it runs with DEMO=1 and DEBUG=1 only (make run).")
        self.stdout.write(demo_tick(now=timezone.now()).text)

import importlib.util
import random

from django.apps import apps
from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.module_loading import import_string

# Order matters: accounts first, then what refers to them.
DEMO_APPS = ("registrations", "sip_sessions", "cdr", "audit", "conferences", "monitoring")


class Command(BaseCommand):
    help = (
        "Load a demo data set of realistic volume into every report (each app's demo.seed). "
        "Apps that already hold data are left alone, so running it twice adds nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0, help="Multiply the default volumes (0.01 to 20).")
        parser.add_argument("--seed", type=int, default=20261121, help="Random seed, for repeatable data.")

    def handle(self, *args, scale: float, seed: int, **options):
        scale = min(max(scale, 0.01), 20.0)
        # One moment for every app, so the registrations, the terminal states and the calls agree.
        now = timezone.now().replace(microsecond=0)
        for label in DEMO_APPS:
            if not apps.is_installed(label):
                continue
            if importlib.util.find_spec(f"{label}.demo") is None:
                continue
            seed_app = import_string(f"{label}.demo.seed")
            rng = random.Random(f"{seed}-{label}")  # noqa: S311 - demo data, repeatable on purpose
            summary = seed_app(rng=rng, scale=scale, now=now)
            self.stdout.write(f"{label}: {summary}")

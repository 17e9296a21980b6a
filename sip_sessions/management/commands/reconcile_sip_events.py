import time

from django.core.management.base import BaseCommand, CommandError

from sip_sessions.models import ReconciliationRun
from sip_sessions.reconcile import reconcile


class Command(BaseCommand):
    help = (
        "Bind pending SIP events (CONNECT, DISCONNECT, any event without a username) to the one account "
        "registered at their remote address at their time; mark those with two or more accounts ambiguous. "
        "By default every pending event is examined; --incremental does what the beat task does."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--incremental",
            action="store_true",
            help="Only recent pending events and those near changed bindings (the beat task's run).",
        )
        parser.add_argument("--retry-ambiguous", action="store_true", help="Examine the events marked ambiguous again.")
        parser.add_argument("--batch-size", type=int, default=None, help="Pending events per transaction.")

    def handle(self, *args, incremental: bool, retry_ambiguous: bool, batch_size: int | None, **options):
        if batch_size is not None and batch_size < 1:
            raise CommandError("--batch-size must be a positive number of events.")
        mode = ReconciliationRun.Mode.INCREMENTAL if incremental else ReconciliationRun.Mode.FULL
        started = time.monotonic()
        run = reconcile(mode=mode, batch_size=batch_size, retry_ambiguous=retry_ambiguous)
        self.stdout.write(
            f"{run.get_mode_display()}: {run.examined} examined, {run.bound} bound, {run.ambiguous} ambiguous "
            f"in {time.monotonic() - started:.1f} s"
        )

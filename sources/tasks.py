from celery import shared_task
from django.utils import timezone

from .demo import demo_enabled
from .demo import demo_tick as play_demo_tick


@shared_task(ignore_result=True)
def demo_tick() -> str:
    """Beat's tick of the demo source (scheduled only with DEMO=1 and DEBUG=1; refuses otherwise)."""
    if not demo_enabled():
        return "the demo source is off (DEMO=1 needs DEBUG=1)"
    return play_demo_tick(now=timezone.now()).text

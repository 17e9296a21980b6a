"""One tick of the demo source: the span it plays, its random draws and the items it sends."""

import datetime
import hashlib
import random
from dataclasses import dataclass, field

from registrations.models import RegistrationBinding

MAX_SPAN = datetime.timedelta(minutes=10)


def stable(text: str, modulo: int) -> int:
    return int(hashlib.blake2b(text.encode(), digest_size=4).hexdigest(), 16) % modulo


def iso(moment: datetime.datetime) -> str:
    return moment.isoformat()


def online_at(moment: datetime.datetime) -> set[int]:
    live = RegistrationBinding.objects.filter(removed_at__isnull=True, expires_at__gt=moment)
    return set(live.values_list("account_id", flat=True))


@dataclass
class Tick:
    """The items one tick sends, built from the data as the console holds it."""

    now: datetime.datetime
    last: datetime.datetime
    rng: random.Random
    calls: dict  # "account_id:slot" -> the call in progress (caller, rang_at, answered_at)
    channels: int = 0  # the PBX's running counter (uniqueids, channel names), kept in the cursor
    serial: int = 0
    registrations: list = field(default_factory=list)
    sip: list = field(default_factory=list)
    cdrs: list = field(default_factory=list)
    terminals: list = field(default_factory=list)
    conference: list = field(default_factory=list)

    def event_id(self, kind: str) -> str:
        self.serial += 1
        return f"demo-{kind}-{int(self.now.timestamp() * 1000)}-{self.serial}"

    def moment(self) -> datetime.datetime:
        """A time inside the span this tick plays."""
        seconds = (self.now - self.last).total_seconds()
        return self.now - datetime.timedelta(seconds=self.rng.uniform(0, seconds))

    def chance(self, per_minute: float) -> bool:
        minutes = (self.now - self.last).total_seconds() / 60
        return self.rng.random() < 1 - (1 - min(per_minute, 1.0)) ** minutes

"""The demo's conferences: running ones end after their own length, new ones start now and then."""

import datetime

from conferences.models import ConferenceSession
from registrations.models import Account

from .tick import Tick, iso, stable

SERVER = "video.example.com"
ROOMS = ["Daily stand-up", "Sales weekly", "Support handover", "Design review", "Customer call"]


def play_conferences(tick: Tick, online: set[int]) -> None:
    """A running session ends once its own length (15 to 75 minutes, by its id) is over; while
    fewer than two run, a new one starts now and then with a few online people."""
    running = list(ConferenceSession.objects.filter(ended_at__isnull=True).order_by("started_at"))
    still = 0
    for session in running:
        length = datetime.timedelta(minutes=15 + stable(session.session_id, 61))
        if tick.now - session.started_at >= length:
            tick.conference.append(
                {
                    "event_id": tick.event_id("conf"),
                    "timestamp": iso(min(max(session.started_at + length, tick.last), tick.now)),
                    "type": "session_ended",
                    "session_id": session.session_id,
                }
            )
        else:
            still += 1
    people = list(Account.objects.filter(pk__in=online).order_by("username").values_list("username", flat=True))
    if still >= 2 or len(people) < 3 or not tick.chance(0.08):
        return
    session_id = f"{tick.now:%Y%m%d}-demo{int(tick.now.timestamp())}@{SERVER}"
    members = tick.rng.sample(people, tick.rng.randint(2, min(6, len(people))))
    events = [{"type": "session_started", "title": tick.rng.choice(ROOMS), "owner": members[0], "mode": "conference"}]
    events += [{"type": "participant_joined", "participant": m, "endpoint_id": f"{m}@{SERVER}/0"} for m in members]
    events.append(
        {"type": "chat_message", "message_id": tick.event_id("msg"), "sender": members[0], "text": "Hello all"}
    )
    for event in events:
        tick.conference.append(
            {"event_id": tick.event_id("conf"), "timestamp": iso(tick.now), "session_id": session_id, **event}
        )

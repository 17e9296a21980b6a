"""Demo conferences: two months of meetings in virtual rooms, ad hoc calls and point-to-point calls,
people rejoining, browser guests renaming themselves, invitations, chat, shared files, and a few
short real WAV recordings (written with the `wave` module at seed time) so playback works."""

import datetime
import io
import math
import random
import wave

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from .models import (
    ChatMessage,
    Conference,
    ConferenceSession,
    DisplayNameChange,
    Endpoint,
    Invitation,
    Participation,
    Recording,
    SharedFile,
)

SERVER = "video.example.com"
PEOPLE = [
    "anna.kovacs", "bob.martin", "carla.devine", "dan.okafor", "erik.lund", "fatima.rahman", "george.chen",
    "hana.sato", "ivan.petrov", "julia.rossi", "karim.haddad", "lena.muller", "marco.bianchi", "nina.berg",
    "omar.farouk", "paula.silva", "quentin.roy", "rita.gomes", "sam.taylor", "tara.singh",
]  # fmt: skip
APPS = [
    ("TrueConf Desktop", ["8.5.2", "8.4.1", "8.3.0"], ["Windows 11", "Windows 10", "macOS 15.1", "Ubuntu 24.04"]),
    ("TrueConf Mobile", ["4.2.0", "4.1.3"], ["Android 15", "iOS 18.1"]),
    ("WebClient", ["Chrome 131", "Firefox 133", "Safari 18"], ["Windows 11", "macOS 15.1", "Linux"]),
    ("TrueConf Room", ["5.1.0"], ["Windows 10 IoT"]),
]
CPUS = ["Intel Core i5-1240P", "Intel Core i7-12700", "AMD Ryzen 7 7840U", "Apple M2", "Apple M3", "Snapdragon 8 Gen 2"]
ROOMS = ["Daily stand-up", "Sales weekly", "Board meeting", "All hands", "Support handover", "Design review",
         "Customer webinar", "Training: new hires", "Ops war room", "Product demo"]  # fmt: skip
MODES = ["symmetric", "asymmetric", "role-based", "video lecture"]
GUEST_NAMES = ["Visitor", "Guest", "John (ACME)", "Maria from Contoso", "Lee", "Interpreter", "Dr. Weiss"]
LINES = ["Good morning all", "Can you hear me?", "Sharing my screen now", "The link is in the agenda",
         "I'll send the slides after the call", "Sorry, my connection dropped", "Next item please", "+1",
         "Let's take this offline", "Recording is on", "Thanks everyone!", "Who takes the minutes?"]  # fmt: skip
NOTES = [523.25, 659.25, 783.99, 1046.5, 783.99, 659.25]  # a short arpeggio: audible and recognisable


def tone_wav(*, seconds: float, rate: int = 8000, shift: float = 1.0) -> bytes:
    """A few kilobytes of real 8-bit mono PCM: a playable, seekable recording."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(1)
        writer.setframerate(rate)
        frames = bytearray()
        per_note = int(rate * seconds / len(NOTES))
        for note in NOTES:
            for n in range(per_note):
                fade = min(1.0, n / 200, (per_note - n) / 200)
                frames.append(128 + int(90 * fade * math.sin(2 * math.pi * note * shift * n / rate)))
        writer.writeframes(bytes(frames))
    return buffer.getvalue()


def _people() -> list[str]:
    from registrations.models import Account

    known = list(Account.objects.order_by("username").values_list("username", flat=True)[:40])
    return known if len(known) >= 8 else PEOPLE


def _endpoint(rng: random.Random, key: str, user: str, app: int, seen: datetime.datetime) -> Endpoint:
    name, versions, systems = APPS[app]
    return Endpoint(
        endpoint_id=key,
        username=user,
        logged_user=user if not user.startswith("#guest") else "",
        application=name,
        version=rng.choice(versions),
        os=rng.choice(systems),
        cpu=rng.choice(CPUS) if app != 2 else "",
        ip=f"10.{rng.randint(1, 40)}.{rng.randint(0, 255)}.{rng.randint(2, 250)}",
        first_seen=seen - datetime.timedelta(days=rng.randint(60, 400)),
        last_seen=seen,
        network_test={"download_kbps": rng.randint(3000, 90000), "upload_kbps": rng.randint(1000, 40000)}
        if rng.random() < 0.4
        else {},
        system_info={"cores": rng.choice([4, 8, 12]), "ram_gb": rng.choice([8, 16, 32])} if app != 2 else {},
    )


def seed(*, rng: random.Random, scale: float, now: datetime.datetime | None = None) -> str:
    if ConferenceSession.objects.exists():
        return "conference sessions already present"
    now = (now or timezone.now()).replace(microsecond=0)
    people = _people()
    endpoints = {user: [_endpoint(rng, f"{user}@{SERVER}/{app}", user, app, now) for app in (0, 1)] for user in people}
    rooms = [
        Conference(conference_id=f"{100 + n}", title=title, owner=rng.choice(people), first_seen=now)
        for n, title in enumerate(ROOMS)
    ]
    guest_endpoints: list[Endpoint] = []
    sessions, participations, renames, invitations, chat = [], [], [], [], []
    count = max(int(600 * scale), 12)
    for n in range(count):
        running = n < 3
        start = (
            now - datetime.timedelta(minutes=rng.randint(5, 40))
            if running
            else now - datetime.timedelta(days=rng.uniform(0.05, 60))
        )
        kind = rng.random()
        room = rng.choice(rooms) if kind < 0.6 else None
        point_to_point = kind > 0.85
        owner = room.owner if room and rng.random() < 0.7 else rng.choice(people)
        length = datetime.timedelta(minutes=rng.randint(3, 20) if point_to_point else rng.randint(10, 90))
        session = ConferenceSession(
            session_id=f"{start:%Y%m%d}-{n:05d}@{SERVER}",
            conference=room,
            title="" if point_to_point else (room.title if room else rng.choice(ROOMS) + " (ad hoc)"),
            owner=owner,
            started_at=start,
            ended_at=None if running else start + length,
            mode="video call" if point_to_point else rng.choice(MODES),
            multicast=not point_to_point and rng.random() < 0.1,
        )
        end = session.ended_at or now
        members = [owner, *rng.sample([p for p in people if p != owner], 1 if point_to_point else rng.randint(2, 12))]
        identities, rows = set(), []
        for member in members:
            device = rng.choice(endpoints[member])
            joined = start + datetime.timedelta(seconds=rng.randint(0, 120))
            for _ in range(2 if rng.random() < 0.12 else 1):  # some rejoin
                left = min(joined + (end - joined) * rng.uniform(0.3, 1.0), end)
                still_there = running and rng.random() < 0.8
                rows.append((member, member, device, joined, None if still_there else left, False))
                if still_there:
                    break
                joined = left + datetime.timedelta(seconds=rng.randint(10, 300))
                if joined >= end:
                    break
            if member != owner and rng.random() < 0.5:
                invitations.append(
                    Invitation(
                        event_id=f"demo-inv-{n}-{member}",
                        session=session,
                        time=start,
                        inviter=SERVER if room else owner,
                        inviter_kind="server" if room else "user",
                        invitee=member,
                        accepted=rng.choice([True, True, True, False, None]),
                    )
                )
        if not point_to_point and rng.random() < 0.35:  # browser guests, who may come back renamed
            for g in range(rng.randint(1, 3)):
                key = f"web-{n:05d}-{g}"
                guest_endpoints.append(_endpoint(rng, key, f"#guest:{key}", 2, end))
                name, joined = rng.choice(GUEST_NAMES), start + datetime.timedelta(minutes=rng.randint(1, 10))
                for visit in range(2 if rng.random() < 0.4 else 1):
                    left = min(joined + datetime.timedelta(minutes=rng.randint(2, 20)), end)
                    rows.append((f"#guest:{key}-{visit}", name, guest_endpoints[-1], joined, left, True))
                    name, joined = rng.choice(GUEST_NAMES), left + datetime.timedelta(minutes=1)
                    if joined >= end:
                        break
        previous_names: dict[str, tuple[Participation, str]] = {}
        for participant, name, device, joined, left, guest in rows:
            identity = f"guest:{device.endpoint_id}" if guest else participant
            identities.add(identity)
            row = Participation(
                session=session,
                participant=participant,
                display_name=name if guest else participant.replace(".", " ").title(),
                guest=guest,
                identity=identity,
                endpoint_ref=device.endpoint_id,
                joined_at=joined,
                left_at=left,
                media=_quality(rng) if left else {},
            )
            row.demo_endpoint = device
            participations.append(row)
            before = previous_names.get(identity)
            if before and before[1] != row.display_name:
                renames.append((row, before[1], row.display_name, joined))
            previous_names[identity] = (row, row.display_name)
        session.participant_count, session.connection_count = len(identities), len(rows)
        sessions.append(session)
        speakers = [participant for participant, *_ in rows if not participant.startswith("#guest")]
        for m in range(0 if point_to_point else rng.randint(0, 50)):
            chat.append(
                ChatMessage(
                    message_id=f"demo-{n}-{m}",
                    session=session,
                    sender=rng.choice(speakers),
                    text=rng.choice(LINES),
                    time=start + (end - start) * (m + 1) / 52,
                )
            )
    for m in range(int(5000 * scale)):
        sender, recipient = rng.sample(people, 2)
        chat.append(
            ChatMessage(
                message_id=f"demo-dm-{m}",
                sender=sender,
                recipient=recipient,
                text=rng.choice(LINES),
                time=now - datetime.timedelta(minutes=rng.randint(1, 60 * 24 * 60)),
            )
        )
    all_endpoints = [device for pair in endpoints.values() for device in pair] + guest_endpoints
    with transaction.atomic():
        Conference.objects.bulk_create(rooms)
        ConferenceSession.objects.bulk_create(sessions, batch_size=1000)
        Endpoint.objects.bulk_create(all_endpoints, batch_size=1000)
        for row in participations:
            row.endpoint = row.demo_endpoint
        Participation.objects.bulk_create(participations, batch_size=2000)
        DisplayNameChange.objects.bulk_create(
            DisplayNameChange(session=row.session, participation=row, old_name=old, new_name=new, time=at)
            for row, old, new, at in renames
        )
        Invitation.objects.bulk_create(invitations, batch_size=2000)
        ChatMessage.objects.bulk_create(chat, batch_size=2000)
        files = _media(rng, [session for session in sessions if session.ended_at])
    return (
        f"{len(sessions)} sessions, {len(participations)} connections, {len(invitations)} invitations, "
        f"{len(chat)} chat messages, {len(all_endpoints)} endpoints, {files}"
    )


def _quality(rng: random.Random) -> dict:
    return {
        "bitrate_kbps": rng.randint(300, 2500),
        "packet_loss_pct": round(rng.expovariate(1.5), 2),
        "jitter_ms": rng.randint(2, 60),
        "rtt_ms": rng.randint(10, 250),
        "resolution": rng.choice(["1280x720", "1920x1080", "640x360"]),
    }


def _media(rng: random.Random, ended: list[ConferenceSession]) -> str:
    """Six short real recordings (one of a point-to-point call) and a few files sent to chats."""
    chosen = rng.sample(ended, min(6, len(ended)))
    untitled = next((session for session in ended if not session.title), None)
    if untitled is not None and untitled not in chosen:
        chosen[-1] = untitled
    for position, session in enumerate(chosen):
        data = tone_wav(seconds=3 + position % 3, shift=1 + position * 0.12)
        row = Recording(
            session=session,
            original_name=f"{session.title or 'Call'} {session.started_at:%Y-%m-%d %H-%M}.wav",
            size=len(data),
            content_type="audio/wav",
            created_at=session.ended_at,
            duration=3 + position % 3,
        )
        row.storage_suffix = ".wav"
        row.file.save("demo.wav", ContentFile(data), save=False)
        row.save()
    shared = rng.sample(ended, min(12, len(ended)))
    for session in shared:
        text = f"Agenda for {session.title or 'the call'}\n\n1. Status\n2. Risks\n3. Next steps\n"
        row = SharedFile(
            session=session,
            original_name=rng.choice(["agenda.txt", "minutes.txt", "notes.md"]),
            size=len(text.encode()),
            content_type="text/plain",
            created_at=session.started_at + datetime.timedelta(minutes=5),
        )
        row.file.save("demo.txt", ContentFile(text.encode()), save=False)
        row.save()
    return f"{len(chosen)} recordings, {len(shared)} shared files"

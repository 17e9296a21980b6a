import datetime
import io
import math
import struct
import wave

import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from conferences.models import ChatMessage, ConferenceSession, Endpoint, Participation, Recording, SharedFile

T0 = datetime.datetime(2026, 11, 2, 9, tzinfo=datetime.UTC)


def wav_bytes(seconds: float = 1.0, rate: int = 8000, tone: float = 440.0) -> bytes:
    """A real, playable PCM WAV file: a sine tone."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(rate)
        frames = int(seconds * rate)
        writer.writeframes(
            b"".join(struct.pack("<h", int(12000 * math.sin(2 * math.pi * tone * n / rate))) for n in range(frames))
        )
    return buffer.getvalue()


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConferenceSession

    session_id = factory.Sequence(lambda n: f"s{n:05d}@video.example.test")
    title = factory.Sequence(lambda n: f"Weekly sync {n}")
    owner = "anna"
    started_at = factory.Sequence(lambda n: T0 + datetime.timedelta(hours=n))
    ended_at = factory.LazyAttribute(lambda row: row.started_at + datetime.timedelta(minutes=40))


class EndpointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Endpoint

    endpoint_id = factory.Sequence(lambda n: f"ep-{n:05d}")
    username = "anna"
    logged_user = "anna"
    application = "TrueConf Desktop"
    version = "8.5.2"
    os = "Windows 11"
    cpu = "Intel Core i5-1240P"
    ip = "10.1.2.3"
    first_seen = factory.LazyFunction(timezone.now)
    last_seen = factory.LazyFunction(timezone.now)


class ParticipationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participation

    session = factory.SubFactory(SessionFactory)
    participant = "bob"
    display_name = "Bob"
    identity = factory.SelfAttribute("participant")
    joined_at = factory.LazyAttribute(lambda row: row.session.started_at)


class ChatMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChatMessage

    message_id = factory.Sequence(lambda n: f"m{n}")
    session = factory.SubFactory(SessionFactory)
    sender = "anna"
    recipient = None
    text = factory.Faker("sentence")
    time = factory.LazyAttribute(lambda row: row.session.started_at if row.session else T0)


class RecordingFactory(factory.django.DjangoModelFactory):
    """A recording with a real WAV file in the (temporary) MEDIA_ROOT."""

    class Meta:
        model = Recording

    session = factory.SubFactory(SessionFactory)
    file = factory.LazyFunction(lambda: ContentFile(wav_bytes(), name="ignored.wav"))
    original_name = "Weekly sync.wav"
    size = factory.LazyAttribute(lambda row: row.file.size)
    content_type = "audio/wav"
    created_at = factory.LazyFunction(timezone.now)
    duration = 1.0


class SharedFileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SharedFile

    session = factory.SubFactory(SessionFactory)
    file = factory.LazyFunction(lambda: ContentFile(b"agenda\n" * 50, name="ignored.txt"))
    original_name = "agenda.txt"
    size = factory.LazyAttribute(lambda row: row.file.size)
    content_type = "text/plain"

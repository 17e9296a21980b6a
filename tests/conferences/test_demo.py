import random
import time
import wave
from pathlib import Path

import pytest

from conferences import demo
from conferences.models import ChatMessage, ConferenceSession, DisplayNameChange, Participation, Recording

pytestmark = pytest.mark.django_db


def test_demo_seeds_once_with_real_media():
    started = time.monotonic()
    summary = demo.seed(rng=random.Random(7), scale=0.1)
    elapsed = time.monotonic() - started
    assert "sessions" in summary and elapsed < 15
    assert ConferenceSession.objects.filter(ended_at__isnull=True).count() == 3
    assert ConferenceSession.objects.filter(title="").exists()
    assert Participation.objects.filter(guest=True).exists() and DisplayNameChange.objects.exists()
    assert ChatMessage.objects.filter(recipient__isnull=True).exists()
    assert ChatMessage.objects.filter(recipient__isnull=False).exists()
    recordings = list(Recording.objects.all())
    assert len(recordings) == 6
    for recording in recordings:
        path = Path(recording.file.path)
        assert path.stat().st_size == recording.size < 60_000
        with wave.open(str(path)) as reader:
            assert reader.getnframes() / reader.getframerate() >= 3
    assert any(recording.session.title == "" for recording in recordings)
    for session in ConferenceSession.objects.all()[:50]:
        rows = Participation.objects.filter(session=session)
        assert session.connection_count == rows.count()
        assert session.participant_count == rows.values("identity").distinct().count()
    assert demo.seed(rng=random.Random(7), scale=0.1) == "conference sessions already present"
    assert Recording.objects.count() == 6

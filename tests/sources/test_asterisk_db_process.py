"""follow_asterisk_cdr_db as a real process, killed with SIGKILL while it stores, then started again."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from cdr.models import Cdr
from sources.models import SourceCursor
from tests.sources.asterisk_tables import call

ROOT = Path(__file__).resolve().parents[2]
ROWS = 3000
BATCH = 50


def command(source, *extra: str) -> list[str]:
    return [sys.executable, "manage.py", "follow_asterisk_cdr_db", "--url", source.url, "--timezone", "UTC",
            "--batch-size", str(BATCH), *extra]  # fmt: skip


def console_env() -> dict:
    """The test database, for the child process."""
    db = settings.DATABASES["default"]
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    return {**os.environ, "DATABASE_URL": url}


@pytest.mark.django_db(transaction=True)
def test_killed_while_storing_then_restarted_stores_every_row_once(source):
    source.create("cdr")
    source.insert_many("cdr", [call(n, minute=n // 10) | {"sequence": n} for n in range(ROWS)])
    child = subprocess.Popen(command(source), cwd=ROOT, env=console_env(), stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not SourceCursor.objects.filter(position__has_key="key").exists():  # a first page is in
            assert child.poll() is None, "the follower stopped by itself"
            assert time.monotonic() < deadline, "the follower stored nothing in 60 s"
            time.sleep(0.02)
    finally:
        child.kill()
        child.wait()
    at_kill = Cdr.objects.count()
    assert 0 < at_kill < ROWS
    assert at_kill % BATCH == 0  # whole pages only: the one being stored went with its transaction
    again = subprocess.run(command(source, "--once"), cwd=ROOT, env=console_env(), capture_output=True, check=False)
    assert again.returncode == 0, again.stderr.decode()
    assert Cdr.objects.count() == ROWS
    assert sorted(Cdr.objects.values_list("sequence", flat=True)) == list(range(ROWS))

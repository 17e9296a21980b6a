"""A real Celery worker on the test database, for tests that kill one (SIGKILL) mid-job."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (a prefork worker's pool children), from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


class Worker:
    """`celery worker` with the runtime settings, pointed at the test database and broker."""

    def __init__(self, tmp_path: Path, pool: str = "prefork", **env: str) -> None:
        database = connection.settings_dict
        self.log = tmp_path / f"worker-{time.monotonic_ns()}.log"
        environment = {
            **{name: value for name, value in os.environ.items() if name != "DJANGO_SETTINGS_MODULE"},
            "DJANGO_SETTINGS_MODULE": "voipadmin.settings",
            "DEBUG": "1",
            "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "VOIPADMIN_VAR_DIR": str(tmp_path / "var"),
            **env,
        }
        command = [sys.executable, "-m", "celery", "-A", "voipadmin", "worker", "--pool", pool, "--concurrency", "1"]
        command += ["--without-gossip", "--without-mingle", "--loglevel", "INFO", "--logfile", str(self.log)]
        self.process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=subprocess.DEVNULL)

    def pool_child(self, timeout: float = 30) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = children(self.process.pid)
            if found:
                return found[0]
            time.sleep(0.05)
        raise AssertionError(f"no pool child; log: {self.log.read_text()[-2000:]}")

    def kill(self) -> None:
        """SIGKILL the whole worker, as the OOM killer or a lost machine would."""
        for child in children(self.process.pid):
            os.kill(child, signal.SIGKILL)
        self.process.kill()
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.kill()

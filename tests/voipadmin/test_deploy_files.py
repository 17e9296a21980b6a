"""deploy/: the Procfile and systemd units docs/deployment.md shows, kept in step with the settings."""

import configparser
import re
import shlex
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def _commands() -> dict[str, str]:
    """Each process's command line: Procfile entries and systemd ExecStart lines, by name."""
    commands = {}
    for line in (DEPLOY / "Procfile").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, command = line.split(":", 1)
            commands[f"Procfile {name}"] = command.strip()
    for unit in sorted((DEPLOY / "systemd").glob("*.service")):
        text = unit.read_text().replace("\\\n", " ")
        commands[unit.name] = re.search(r"^ExecStart=(.*)$", text, re.MULTILINE).group(1)
    return commands


def _queues(command: str) -> set[str]:
    args = shlex.split(command)
    return set(args[args.index("-Q") + 1].split(",")) if "-Q" in args else set()


def test_workers_consume_named_queues_and_together_every_queue():
    known = {queue.name for queue in settings.CELERY_TASK_QUEUES}
    for source in ("Procfile", ".service"):
        workers = {name: command for name, command in _commands().items() if source in name and " worker " in command}
        consumed = set().union(*(_queues(command) for command in workers.values()))
        assert consumed == known, (source, consumed)


def test_beat_runs_once_with_a_pid_file():
    beats = [command for name, command in _commands().items() if " beat " in command]
    assert len(beats) == 2  # the Procfile's and the unit's: one per way of running a site
    assert all("--pidfile" in command for command in beats)
    assert not any(" -B" in command or "--beat" in command for command in _commands().values())


def test_every_unit_runs_as_a_service_of_its_own_user():
    for unit in (DEPLOY / "systemd").glob("*.service"):
        parser = configparser.ConfigParser(strict=False, interpolation=None)
        parser.read_string(unit.read_text())
        assert parser["Service"]["User"] not in ("root", ""), unit.name
        assert parser["Install"]["WantedBy"] == "multi-user.target", unit.name


def test_the_pgbouncer_sample_pools_by_transaction():
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(DEPLOY / "pgbouncer.ini")
    assert parser["pgbouncer"]["pool_mode"] == "transaction"
    assert "DISABLE_SERVER_SIDE_CURSORS=1" in (DEPLOY / "voipadmin.env.example").read_text()

"""The processes of the SIP end-to-end test: the console (gunicorn, Celery worker and beat) on its own
database, Kamailio through bin/run-kamailio, and SIPp. Every process is started here in its own
session and stopped by its own id; waits are on conditions with deadlines, never fixed sleeps."""

import os
import re
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[2]
SIPP_DIR = ROOT / "integrations" / "kamailio" / "sipp"
VENV_BIN = ROOT / ".venv" / "bin"


def wait_for(what: str, check: Callable[[], object], *, timeout: float, every: float = 0.2):
    """check()'s first truthy result, or AssertionError naming what never happened."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout} s waiting for {what} (last: {last!r})")


def server_url(database_url: str, name: str) -> str:
    return database_url.rsplit("/", 1)[0] + "/" + name


def fresh_database(database_url: str, name: str) -> str:
    """Drop and create database `name` on the server of `database_url`; its URL."""
    with psycopg.connect(server_url(database_url, "postgres"), autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        db.execute(f'CREATE DATABASE "{name}"')
    return server_url(database_url, name)


@dataclass
class Stack:
    env: dict
    logs: Path
    procs: dict = field(default_factory=dict)

    def start(self, name: str, argv: list[str], **extra_env) -> subprocess.Popen:
        log = open(self.logs / f"{name}.log", "ab")  # noqa: SIM115 (closed with the process)
        proc = subprocess.Popen(
            argv, cwd=ROOT, env={**self.env, **extra_env}, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.procs[name] = (proc, log)
        return proc

    def stop(self, name: str, *, timeout: float = 20) -> None:
        proc, log = self.procs.pop(name)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        log.close()

    def stop_all(self) -> None:
        for name in reversed(list(self.procs)):
            self.stop(name)

    def manage(self, *args: str) -> str:
        done = subprocess.run(
            [str(VENV_BIN / "python"), "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def log_text(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")


def sipp(
    stack: Stack,
    scenario: str,
    rows: list[str],
    *,
    sip_port: int,
    calls: int | None = None,
    wait: bool = True,
    check: bool = True,
    **opts,
) -> subprocess.Popen | None:
    """Run SIPp client `scenario` once per CSV row against Kamailio; `opts` are SIPp options
    (`t="tn"`, `p=5171`, `d=0`, `r=20`). With wait (and check), every call must succeed."""
    name = f"sipp-{scenario}-{len(stack.procs)}-{time.monotonic_ns()}"
    csv = stack.logs / f"{name}.csv"
    csv.write_text("SEQUENTIAL\n" + "\n".join(rows) + "\n")
    argv = ["sipp", f"127.0.0.1:{sip_port}", "-sf", str(SIPP_DIR / f"{scenario}.xml"), "-inf", str(csv)]
    argv += ["-m", str(calls or len(rows)), "-i", "127.0.0.1", "-nostdin", "-max_socket", "400"]
    opts.setdefault("d", 0)
    opts.setdefault("r", 50)
    opts.setdefault("timeout", 60)
    for key, value in opts.items():
        argv += [f"-{key}", str(value)]
    proc = stack.start(name, argv)
    if not wait:
        return proc
    code = proc.wait(timeout=int(opts["timeout"]) + 10)
    stack.procs.pop(name)[1].close()
    assert code == 0 or not check, f"SIPp {scenario} failed (exit {code}):\n{stack.log_text(name)[-3000:]}"
    return None


def sipp_server(stack: Stack, scenario: str, *, port: int) -> subprocess.Popen:
    return stack.start(
        f"uas-{scenario}-{port}",
        ["sipp", "-sf", str(SIPP_DIR / f"{scenario}.xml"), "-i", "127.0.0.1", "-p", str(port), "-nostdin"],
    )


def kamailio_contacts(ctl_socket: Path) -> set[tuple[str, str]]:
    """(AoR, Address) of every contact `kamcmd ul.dump` lists: Kamailio's own view."""
    out = subprocess.run(
        ["/usr/sbin/kamcmd", "-s", f"unix:{ctl_socket}", "ul.dump"],
        capture_output=True,
        text=True,
        timeout=20,
        check=True,
    ).stdout
    contacts, aor = set(), None
    for line in out.splitlines():
        found = re.match(r"\s*(AoR|Address):\s*(\S+)", line)
        if not found:
            continue
        if found.group(1) == "AoR":
            aor = found.group(2)
        else:
            contacts.add((aor, found.group(2)))
    return contacts


def outbox_left(kamailio_db: str) -> int:
    with psycopg.connect(kamailio_db, autocommit=True) as db:
        return db.execute("SELECT count(*) FROM voipadmin_outbox").fetchone()[0]

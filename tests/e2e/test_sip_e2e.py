"""`make e2e-sip`: Kamailio (bin/run-kamailio) and SIPp on loopback feed a real console; every fact
arrives once, through a 20-second console outage in the middle (docs/sources-kamailio.md).

Runs only with E2E_SIP=1 (`make e2e-sip`, which `make test` runs after the suite): it owns ports,
two databases and three minutes. Ports: E2E_SIP_PORT (5170), E2E_CONSOLE_PORT (8170), the SIPp
callees on the four ports above the SIP port.
"""

import os
import secrets
import time
from pathlib import Path

import psycopg
import pytest

from .sip_stack import (
    ROOT,
    VENV_BIN,
    Stack,
    fresh_database,
    kamailio_contacts,
    outbox_left,
    sipp,
    sipp_server,
    wait_for,
)

pytestmark = pytest.mark.skipif(os.environ.get("E2E_SIP") != "1", reason="the SIP end-to-end run: make e2e-sip")

SIP_PORT = int(os.environ.get("E2E_SIP_PORT", "5170"))
CONSOLE_PORT = int(os.environ.get("E2E_CONSOLE_PORT", "8170"))
ARTIFACTS = ROOT / "test-artifacts"
OUTAGE_SECONDS = 20

CALLEES = {"c200": ("uas_answer", 1), "c486": ("uas_busy", 2), "c503": ("uas_unavailable", 3), "cring": ("uas_ring", 4)}
UDP_KEPT = [f"u{n:02}" for n in range(1, 21)]  # stay registered
UDP_UNREGISTERED = [f"u{n:02}" for n in range(21, 31)]  # de-REGISTER (Contact: *)
UDP_SHORT = [f"u{n:02}" for n in range(31, 41)]  # 3-second expiry: Kamailio expires them
TCP_KEPT = [f"t{n:02}" for n in range(1, 11)]  # own TCP connection, held open
TCP_CLOSED = [f"t{n:02}" for n in range(11, 15)]  # own TCP connection, closed after 3 s
USERS = UDP_KEPT + UDP_UNREGISTERED + UDP_SHORT + TCP_KEPT + TCP_CLOSED
# 40 calls: (scenario, callee, how many, disposition, callee's code)
CALLS = [
    ("call_answer", "c200", 12, "ANSWERED", {200}),
    ("call_fail", "c486", 8, "BUSY", {486}),
    ("call_fail", "c503", 8, "FAILED", {503}),
    ("call_fail", "cring", 6, "NO_ANSWER", {408}),
    ("call_cancel", "cring", 6, "NO_ANSWER", {487}),
]


def password(username: str) -> str:
    return f"pw-{username}"


def auth(username: str, secret: str | None = None) -> str:
    return f"[authentication username={username} password={secret or password(username)}]"


def query(url: str, sql: str, params=()) -> list[tuple]:
    with psycopg.connect(url, autocommit=True) as db:
        cursor = db.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


@pytest.fixture
def stack(tmp_path):
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/voipadmin")
    console_db = fresh_database(base, base.rsplit("/", 1)[1] + "_e2e_sip")
    kamailio_db = fresh_database(base, f"kamailio_e2e_{SIP_PORT}")
    run_dir = tmp_path / "kamailio"
    env = {
        **os.environ,
        "DATABASE_URL": console_db,
        "DEBUG": "1",
        "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0"),
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        "RECONCILE_INTERVAL": "2",
        "REGISTRATION_EXPIRY_SWEEP_INTERVAL": "1",
        "DJANGO_SETTINGS_MODULE": "voipadmin.settings",
        "PATH": f"{VENV_BIN}:{os.environ['PATH']}",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    stack = Stack(env=env, logs=tmp_path)
    try:
        _start_stack(stack, console_db=console_db, kamailio_db=kamailio_db, run_dir=run_dir)
        yield stack
    finally:
        stack.stop_all()


def _start_stack(stack: Stack, *, console_db: str, kamailio_db: str, run_dir: Path) -> None:
    stack.console_db, stack.kamailio_db, stack.ctl = console_db, kamailio_db, run_dir / "ctl.sock"
    stack.manage("migrate", "--noinput")
    stack.manage("collectstatic", "--noinput")
    token = stack.manage("create_ingest_token", "kamailio-e2e").strip().splitlines()[-1]
    stack.admin_password = secrets.token_urlsafe(12)
    stack.manage("shell", "-c", _make_admin(stack.admin_password))
    stack.env.update(
        SIP_PORT=str(SIP_PORT),
        CONSOLE_URL=f"http://127.0.0.1:{CONSOLE_PORT}",
        INGEST_TOKEN=token,
        KAMAILIO_DB_URL=kamailio_db,
        KAMAILIO_RUN_DIR=str(run_dir),
        KAMAILIO_INVITE_TIMEOUT="3",
        KAMAILIO_UL_TIMER="1",
        KAMAILIO_SNAPSHOT_SECONDS="15",
        KAMAILIO_REGISTRAR=f"kamailio-e2e@127.0.0.1:{SIP_PORT}",
    )
    _start_console(stack)
    celery = str(VENV_BIN / "celery")
    stack.start("worker", [celery, "-A", "voipadmin", "worker", "--concurrency=2", "-l", "INFO"])
    stack.start("beat", [celery, "-A", "voipadmin", "beat", "-l", "INFO", "-s", str(stack.logs / "beat")])
    stack.start("kamailio", ["bin/run-kamailio"])
    wait_for("Kamailio's control socket", stack.ctl.exists, timeout=60)
    wait_for("the subscriber table", lambda: _subscribers(kamailio_db), timeout=30)


def _make_admin(secret: str) -> str:
    return (
        "from django.contrib.auth import get_user_model; U = get_user_model(); "
        "u, _ = U.objects.get_or_create(username='e2e-admin'); u.is_staff = u.is_superuser = True; "
        f"u.set_password({secret!r}); u.save()"
    )


def _start_console(stack: Stack) -> None:
    gunicorn = [str(VENV_BIN / "gunicorn"), "voipadmin.wsgi:application", "--bind", f"127.0.0.1:{CONSOLE_PORT}"]
    proc = stack.start("gunicorn", [*gunicorn, "--workers", "2", "--threads", "4", "--timeout", "120"])
    wait_for("the console", lambda: _answers(f"http://127.0.0.1:{CONSOLE_PORT}/login/"), timeout=60)
    assert proc.poll() is None, f"gunicorn exited (port {CONSOLE_PORT} taken?):\n{stack.log_text('gunicorn')[-2000:]}"


def _answers(url: str) -> bool:
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310
            return response.status == 200
    except OSError:
        return False


def _subscribers(kamailio_db: str) -> bool:
    try:
        query(
            kamailio_db,
            "INSERT INTO subscriber (username, password) SELECT u, 'pw-' || u FROM unnest(%s::text[]) u "
            "ON CONFLICT DO NOTHING",
            [[*USERS, *CALLEES]],
        )
    except psycopg.errors.UndefinedTable:
        return False
    return True


def test_kamailio_and_sipp_feed_the_console_exactly_once(stack):
    port = SIP_PORT
    started = time.monotonic()
    # The callees register from the port their SIPp server then answers on.
    for callee, (scenario, offset) in CALLEES.items():
        sipp(stack, "register", [f"{callee};{auth(callee)};3600"], sip_port=port, p=port + offset)
        sipp_server(stack, scenario, port=port + offset)
    sipp(stack, "register", [f"{u};{auth(u)};3600" for u in UDP_KEPT + UDP_UNREGISTERED], sip_port=port, t="un")
    sipp(stack, "register", [f"{u};{auth(u)};3" for u in UDP_SHORT], sip_port=port, t="un")
    held = sipp(
        stack,
        "register",
        [f"{u};{auth(u)};3600" for u in TCP_KEPT],
        sip_port=port,
        t="tn",
        d=170000,
        wait=False,
        timeout=175,
    )
    sipp(stack, "register", [f"{u};{auth(u)};3600" for u in TCP_CLOSED], sip_port=port, t="tn", d=3000)
    sipp(stack, "bad_auth", [f"{u};{auth(u)};60;{auth(u, 'wrong')}" for u in UDP_KEPT[:3]], sip_port=port, t="un")
    wait_for("the TCP users' bindings", lambda: _online_count(stack) >= len(USERS) - len(UDP_SHORT), timeout=30)

    # The console goes away for 20 s while the calls, the unregisters and the expiries happen.
    stack.stop("gunicorn")
    down_at = time.monotonic()
    callers = iter(UDP_KEPT * 2)
    for scenario, callee, count, _disposition, _codes in CALLS:
        rows = [f"{caller};{auth(caller)};{callee}" for caller in (next(callers) for _ in range(count))]
        sipp(stack, scenario, rows, sip_port=port, r=20)
    sipp(stack, "unregister", [f"{u};{auth(u)}" for u in UDP_UNREGISTERED], sip_port=port, t="un")
    wait_for("the outage to last 20 s", lambda: time.monotonic() - down_at >= OUTAGE_SECONDS, timeout=60, every=0.5)
    assert outbox_left(stack.kamailio_db) > 0, "the outbox kept the facts while the console was down"
    _start_console(stack)

    wait_for("the outbox to drain", lambda: outbox_left(stack.kamailio_db) == 0, timeout=60)
    wait_for("Kamailio to expire the short registrations", lambda: not _kamailio_has(stack, UDP_SHORT), timeout=30)
    wait_for("Kamailio to drop the closed TCP users", lambda: not _kamailio_has(stack, TCP_CLOSED), timeout=30)
    wait_for("the outbox to drain again", lambda: outbox_left(stack.kamailio_db) == 0, timeout=30)
    db = stack.console_db

    # Bindings online in the console are exactly Kamailio's own (kamcmd ul.dump).
    online = set(
        query(
            db,
            "SELECT username, contact FROM registrations_registrationbinding WHERE removed_at IS NULL "
            "AND expires_at > now()",
        )
    )
    kamailio = kamailio_contacts(stack.ctl)
    assert online == kamailio
    assert {name for name, _ in online} == set(UDP_KEPT + TCP_KEPT) | set(CALLEES)

    # Ended bindings carry the right reasons; one binding per registration, nothing doubled.
    ended = dict(
        query(db, "SELECT username, removed_reason FROM registrations_registrationbinding WHERE removed_at IS NOT NULL")
    )
    assert ended == {
        **dict.fromkeys(UDP_UNREGISTERED, "unregister"),
        **dict.fromkeys(UDP_SHORT, "expired"),
        **dict.fromkeys(TCP_CLOSED, "connection_lost"),
    }
    per_user = query(db, "SELECT username, count(*) FROM registrations_registrationbinding GROUP BY username")
    assert dict(per_user) == dict.fromkeys([*USERS, *CALLEES], 1)

    # CONNECT / DISCONNECT of the TCP users, bound to the right accounts by reconciliation.
    tcp_ports = dict(
        query(db, "SELECT remote_port, username FROM registrations_registrationbinding WHERE transport = 'TCP'")
    )
    stack.manage("reconcile_sip_events")
    events = query(
        db,
        "SELECT event, remote_port, username, reconciled FROM sip_sessions_sipevent "
        "WHERE event IN ('CONNECT', 'DISCONNECT')",
    )
    connects = {(p, u) for event, p, u, ok in events if event == "CONNECT" and ok}
    disconnects = {(p, u) for event, p, u, ok in events if event == "DISCONNECT" and ok}
    assert len([e for e in events if e[0] == "CONNECT"]) == len(TCP_KEPT + TCP_CLOSED)
    assert connects == set(tcp_ports.items())
    assert disconnects == {(p, u) for p, u in tcp_ports.items() if u in TCP_CLOSED}
    counts = dict(query(db, "SELECT event, count(*) FROM sip_sessions_sipevent GROUP BY event"))
    assert counts["AUTH_FAILED"] == 3
    assert counts["REGISTER"] == len(USERS) + len(CALLEES)
    assert counts["UNREGISTER"] == len(UDP_UNREGISTERED)
    assert counts["EXPIRED"] == len(UDP_SHORT)

    # One CDR per call, with its disposition, the callee's code and both accounts.
    cdrs = query(
        db,
        "SELECT c.uniqueid, c.dst, c.disposition, c.sip_code, a.username, b.username FROM cdr_cdr c "
        "LEFT JOIN registrations_account a ON a.id = c.caller_id "
        "LEFT JOIN registrations_account b ON b.id = c.callee_id",
    )
    assert len(cdrs) == sum(count for _s, _c, count, _d, _codes in CALLS) == 40
    assert len({uniqueid for uniqueid, *_ in cdrs}) == 40
    for _scenario, callee, count, disposition, codes in CALLS:
        mine = [row for row in cdrs if row[1] == callee and row[3] in codes]
        assert len(mine) == count, (callee, codes, cdrs)
        assert {row[2] for row in mine} == {disposition}
        assert {row[5] for row in mine} == {callee}
    assert {row[4] for row in cdrs} <= set(UDP_KEPT)

    # User Monitoring's SIP terminals followed the calls back to free: no call left open.
    assert query(db, "SELECT count(*) FROM sources_kamailiocall WHERE ended_at IS NULL") == [(0,)]
    terminals = {
        username: (registered, ringing, active)
        for username, registered, ringing, active in query(
            db,
            "SELECT a.username, t.registered, t.calls_ringing, t.calls_active FROM monitoring_terminalstate t "
            "JOIN registrations_account a ON a.id = t.account_id WHERE t.terminal = 1 AND t.kind = 'sip'",
        )
    }
    assert {name: terminals[name] for name in UDP_KEPT + list(CALLEES)} == dict.fromkeys(
        UDP_KEPT + list(CALLEES), (True, 0, 0)
    )
    assert {terminals[name] for name in UDP_UNREGISTERED} == {(False, 0, 0)}

    assert "console unreachable" in stack.log_text("kamailio")  # the outage really was one
    _screenshots(stack)
    held.terminate()
    assert time.monotonic() - started < 180, "the SIP end-to-end run must stay under 3 minutes"


def _online_count(stack: Stack) -> int:
    return query(
        stack.console_db,
        "SELECT count(*) FROM registrations_registrationbinding WHERE removed_at IS NULL AND expires_at > now()",
    )[0][0]


def _kamailio_has(stack: Stack, usernames: list[str]) -> bool:
    return any(aor in usernames for aor, _address in kamailio_contacts(stack.ctl))


def _screenshots(stack: Stack) -> None:
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(
            base_url=f"http://127.0.0.1:{CONSOLE_PORT}", viewport={"width": 1400, "height": 900}
        )
        page = context.new_page()
        page.goto("/login/")
        page.fill("#id_username", "e2e-admin")
        page.fill("#id_password", stack.admin_password)
        page.click("button[type=submit]")
        page.wait_for_url("**/")
        for name, url in (
            ("registered-accounts", "/registrations/"),
            ("sip-sessions", "/sip-sessions/"),
            ("cdr", "/cdr/"),
        ):
            page.goto(url)
            path = ARTIFACTS / f"e2e-sip-{name}.png"
            page.screenshot(path=str(path), full_page=True)
            assert Path(path).stat().st_size > 1000
        browser.close()

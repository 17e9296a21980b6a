"""integrations/kamailio/deliver.py: the outbox reaches the console in order, through an outage,
and a refused batch is kept aside, never lost (real PostgreSQL outbox, a real HTTP server)."""

import contextlib
import importlib.util
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
SPEC = importlib.util.spec_from_file_location("kamailio_deliver", ROOT / "integrations/kamailio/deliver.py")
deliver = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(deliver)


def _server_url(name: str) -> str:
    db = settings.DATABASES["default"]
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


@pytest.fixture
def outbox_db():
    name = settings.DATABASES["default"]["NAME"] + "_outbox"
    with psycopg.connect(_server_url("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    url = _server_url(name)
    with psycopg.connect(url, autocommit=True) as db:
        db.execute((ROOT / "integrations/kamailio/outbox.sql").read_text())
    yield url
    with psycopg.connect(_server_url("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Console:
    """Answers 503 to the first `down` posts, 400 to a batch holding kind "bad", else 201."""

    def __init__(self, down: int):
        self.down, self.posts, self.stored = down, [], []
        console = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                console.posts.append((self.headers["Authorization"], body))
                if console.down > 0:
                    console.down -= 1
                    code = 503
                elif any(fact["kind"] == "bad" for fact in body):
                    code = 400
                else:
                    console.stored.extend(body)
                    code = 201
                self.send_response(code)
                self.end_headers()
                self.wfile.write(b'{"detail": "refused"}' if code == 400 else b"{}")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def _insert(url: str, kinds: list[str]) -> None:
    with psycopg.connect(url, autocommit=True) as db:
        for second, kind in enumerate(kinds):
            db.execute(
                "INSERT INTO voipadmin_outbox (kind, at, username) VALUES (%s, %s, %s)",
                [kind, 1796296569 + second, f"u{second}"],
            )


def _left(url: str, table: str = "voipadmin_outbox") -> int:
    with psycopg.connect(url, autocommit=True) as db:
        return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def _run(outbox_db: str, console: Console, *, until) -> None:
    delivery = deliver.Delivery(
        db_url=outbox_db, console_url=console.url, token="k3y", registrar="kam@test", rpc_fifo="/nonexistent"
    )
    delivery.snapshot_every = 3600
    delivery.batch = 2

    def watch():
        deadline = time.monotonic() + 30
        while not until() and time.monotonic() < deadline:
            time.sleep(0.05)
        delivery.stopping = True

    watcher = threading.Thread(target=watch)
    watcher.start()
    with contextlib.suppress(deliver.Stopping):
        delivery.run()
    watcher.join()
    console.server.shutdown()


def test_rows_reach_the_console_in_order_through_an_outage(outbox_db):
    _insert(outbox_db, ["register", "connect", "register", "unregister", "disconnect"])
    console = Console(down=3)
    _run(outbox_db, console, until=lambda: _left(outbox_db) == 0)
    assert [fact["outbox_id"] for fact in console.stored] == [1, 2, 3, 4, 5]
    assert {fact["registrar"] for fact in console.stored} == {"kam@test"}
    assert console.stored[0]["at"] == "1796296569.000000"
    # the first batch was posted four times (three 503s, then stored), identically
    assert [body for _auth, body in console.posts[:4]] == [console.posts[0][1]] * 4
    assert {auth for auth, _body in console.posts} == {"Token k3y"}


def test_a_refused_batch_is_kept_aside_and_the_rest_flows(outbox_db):
    _insert(outbox_db, ["bad", "register", "register"])
    console = Console(down=0)
    _run(outbox_db, console, until=lambda: _left(outbox_db) == 0)
    assert [fact["outbox_id"] for fact in console.stored] == [3]
    assert _left(outbox_db, "voipadmin_outbox_rejected") == 2
    with psycopg.connect(outbox_db, autocommit=True) as db:
        assert db.execute("SELECT DISTINCT answer FROM voipadmin_outbox_rejected").fetchall() == [
            ('{"detail": "refused"}',)
        ]

"""Kamailio's delivery process: the outbox rows to the console, in id order, and the registrar snapshot.

Started by bin/run-kamailio beside Kamailio (and stopped with it). Durable by construction:
- Kamailio INSERTs each fact into `voipadmin_outbox` (sqlops); this process reads the oldest rows,
  POSTs them to `${CONSOLE_URL}/api/v1/kamailio/facts/` and deletes them only once the console
  answered 2xx. A console outage or a restart of this process re-posts the same rows, and the
  console answers "unchanged": every item's source id is derived from the fact itself.
- Rows are deleted by id, not passed by a cursor: a row committed late with a lower id (two
  Kamailio workers inserting at once) is read by the next round instead of being skipped.
- A batch the console refuses (400) would be refused forever: it moves to
  `voipadmin_outbox_rejected` with the console's answer, so it neither blocks nor vanishes.
- The registrar snapshot (`ul.dump` over Kamailio's JSON-RPC FIFO) is taken at start and every
  `KAMAILIO_SNAPSHOT_SECONDS`, and posted only after the outbox is drained of everything written
  before it was taken, so an unregister waiting in the outbox is not mistaken for a ghost.

Standard library plus psycopg; no Django: it runs on the Kamailio host.
"""

import contextlib
import json
import logging
import os
import select
import signal
import time
import urllib.error
import urllib.request
from decimal import Decimal

import psycopg

logger = logging.getLogger("voipadmin.kamailio.deliver")

COLUMNS = (
    "id, kind, at, call_id, cseq, username, contact, expires, remote_ip, remote_port, transport, "
    "received, user_agent, sip_code, caller, callee, details"
)
SNAPSHOT_GRACE = 1.0
REJECTED_TABLE = """
CREATE TABLE IF NOT EXISTS voipadmin_outbox_rejected (
    LIKE voipadmin_outbox, rejected_at timestamptz NOT NULL DEFAULT now(), answer text NOT NULL
)
"""


# jsonrpcs' fifo_reply_dir (its default): the reply FIFO, private to us (mode 0600), is made there.
REPLY_DIR = "/tmp"  # noqa: S108


class Stopping(Exception):
    pass


class Delivery:
    def __init__(self, *, db_url: str, console_url: str, token: str, registrar: str, rpc_fifo: str):
        self.db_url, self.registrar, self.rpc_fifo = db_url, registrar, rpc_fifo
        self.console_url = console_url.rstrip("/")
        self.token = token
        self.batch = int(os.environ.get("KAMAILIO_DELIVERY_BATCH", "500"))
        self.snapshot_every = float(os.environ.get("KAMAILIO_SNAPSHOT_SECONDS", "300"))
        self.stopping = False
        self.db: psycopg.Connection | None = None

    # -- the loop ---------------------------------------------------------------------------
    def run(self) -> None:
        self.db = self._connect()
        next_snapshot = time.monotonic()
        pending_snapshot: dict | None = None
        while not self.stopping:
            rows = self._oldest_rows()
            if rows:
                self._deliver(rows)
                continue
            if pending_snapshot is not None:
                # A fact whose change the dump already shows (an unregister) is committed to the
                # outbox within microseconds of it: a second's grace, then the drained outbox
                # holds every fact older than the dump, and the snapshot follows them.
                if time.monotonic() - pending_snapshot["dumped"] < SNAPSHOT_GRACE:
                    self._wait(SNAPSHOT_GRACE)
                    continue
                self._post("/api/v1/kamailio/usrloc/", pending_snapshot["body"])
                pending_snapshot = None
                continue
            if time.monotonic() >= next_snapshot:
                pending_snapshot = self._snapshot()
                # Kamailio may not have opened its FIFO yet: a failed dump is tried again soon.
                next_snapshot = time.monotonic() + (self.snapshot_every if pending_snapshot else 2.0)
                continue
            self._wait(min(1.0, max(0.0, next_snapshot - time.monotonic())))

    def _connect(self) -> psycopg.Connection:
        while not self.stopping:
            try:
                db = psycopg.connect(self.db_url, autocommit=True)
                db.execute("LISTEN voipadmin_outbox")
                db.execute(REJECTED_TABLE)
                return db
            except psycopg.OperationalError as error:
                logger.warning("outbox database unreachable (%s); retrying", error)
                self._sleep(2)
        raise Stopping

    def _oldest_rows(self) -> list[dict]:
        cursor = self.db.execute(f"SELECT {COLUMNS} FROM voipadmin_outbox ORDER BY id LIMIT %s", [self.batch])
        names = [column.name for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def _deliver(self, rows: list[dict]) -> None:
        facts = [fact_from_row(row, registrar=self.registrar) for row in rows]
        ids = [row["id"] for row in rows]
        refused = self._post("/api/v1/kamailio/facts/", facts)
        with self.db.transaction():
            if refused is not None:
                self.db.execute(
                    "INSERT INTO voipadmin_outbox_rejected SELECT *, now(), %s FROM voipadmin_outbox "
                    "WHERE id = ANY(%s)",
                    [refused, ids],
                )
                logger.error("the console refused %d facts (kept in voipadmin_outbox_rejected): %s", len(ids), refused)
            self.db.execute("DELETE FROM voipadmin_outbox WHERE id = ANY(%s)", [ids])

    def _wait(self, seconds: float) -> None:
        """Until Kamailio NOTIFYs a new row (or `seconds` pass)."""
        if seconds <= 0:
            return
        try:
            ready, _, _ = select.select([self.db.fileno()], [], [], seconds)
        except InterruptedError:
            return
        if ready:
            for _notify in self.db.notifies(timeout=0):
                pass

    def _sleep(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self.stopping and time.monotonic() < deadline:
            time.sleep(min(0.2, deadline - time.monotonic()))

    # -- the console ------------------------------------------------------------------------
    def _post(self, path: str, body) -> str | None:
        """POST until the console answers: None when it stored it, its answer text on a 400.
        An outage, a 5xx or a refused token is retried (backing off to 5 s) until SIGTERM."""
        data = json.dumps(body).encode()
        delay = 0.5
        while True:
            if self.stopping:
                raise Stopping
            request = urllib.request.Request(  # noqa: S310 (the operator's CONSOLE_URL)
                self.console_url + path,
                data=data,
                method="POST",
                headers={"Content-Type": "application/json", "Authorization": f"Token {self.token}"},
            )
            try:
                with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 (configured URL)
                    response.read()
                return None
            except urllib.error.HTTPError as error:
                answer = error.read().decode(errors="replace")[:4000]
                if error.code == 400:
                    return answer
                logger.warning("console answered %s on %s; retrying: %s", error.code, path, answer[:200])
            except (urllib.error.URLError, OSError) as error:
                logger.warning("console unreachable on %s (%s); retrying", path, error)
            self._sleep(delay)
            delay = min(delay * 2, 5.0)

    # -- the registrar snapshot ------------------------------------------------------------
    def _snapshot(self) -> dict | None:
        taken_at = time.time()
        try:
            dump = rpc_call(self.rpc_fifo, "ul.dump")
        except (OSError, TimeoutError, ValueError) as error:
            logger.warning("ul.dump failed (%s); the snapshot waits for the next round", error)
            return None
        body = {"registrar": self.registrar, "taken_at": taken_at, "dump": dump}
        return {"body": body, "dumped": time.monotonic()}


def fact_from_row(row: dict, *, registrar: str) -> dict:
    """An outbox row as the console's fact: its columns, time as text, NULLs left out."""
    fact = {"registrar": registrar}
    for name, value in row.items():
        if value is None or name == "id":
            continue
        fact[name] = str(value) if isinstance(value, Decimal) else value
    fact["outbox_id"] = row["id"]
    return fact


def rpc_call(fifo: str, method: str, timeout: float = 10.0):
    """One JSON-RPC call over jsonrpcs' FIFO: the request names a reply FIFO we create in /tmp."""
    reply_name = f"voipadmin_rpc_{os.getpid()}_{time.monotonic_ns()}"  # jsonrpcs refuses a dot
    reply_path = os.path.join(REPLY_DIR, reply_name)
    os.mkfifo(reply_path, 0o600)
    try:
        # Open for reading first: Kamailio opens the reply FIFO non-blocking and gives up without a reader.
        reader = os.open(reply_path, os.O_RDONLY | os.O_NONBLOCK)
        request = json.dumps({"jsonrpc": "2.0", "method": method, "id": 1, "reply_name": reply_name})
        fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        try:
            os.write(fd, (request + "\n").encode())
        finally:
            os.close(fd)
        chunks: list[bytes] = []
        deadline = time.monotonic() + timeout
        try:
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"no answer to {method} in {timeout} s")
                ready, _, _ = select.select([reader], [], [], left)
                if not ready:
                    continue
                chunk = os.read(reader, 1 << 20)
                if chunk:
                    chunks.append(chunk)
                    continue
                if not chunks:  # Kamailio has not opened the reply FIFO yet
                    time.sleep(0.01)
                    continue
                # Kamailio closed the reply FIFO: the answer is whole (parsed once, not per chunk).
                answer = json.loads(b"".join(chunks))
                if "error" in answer:
                    raise ValueError(f"{method}: {answer['error']}")
                return answer.get("result")
        finally:
            os.close(reader)
    finally:
        os.unlink(reply_path)


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="deliver: %(levelname)s %(message)s")
    delivery = Delivery(
        db_url=os.environ["KAMAILIO_DB_URL"],
        console_url=os.environ["CONSOLE_URL"],
        token=os.environ["INGEST_TOKEN"],
        registrar=os.environ["KAMAILIO_REGISTRAR"],
        rpc_fifo=os.environ["KAMAILIO_RPC_FIFO"],
    )

    def stop(_signum, _frame):
        delivery.stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    with contextlib.suppress(Stopping):
        delivery.run()
    logger.info("stopped")


if __name__ == "__main__":
    main()

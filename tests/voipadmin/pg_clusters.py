"""Throw-away PostgreSQL 15 clusters with Debian's tools: a primary and its streaming replica.

The suite's own cluster (5432) is never touched: both are new clusters on their own ports, made
with pg_createcluster, the replica filled by pg_basebackup -R (standby.signal + primary_conninfo),
and both dropped with pg_dropcluster on the way out, whatever happened.
"""

import contextlib
import os
import pwd
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

VERSION = "15"
PG_BIN = Path(f"/usr/lib/postgresql/{VERSION}/bin")
TOOLS = ("pg_createcluster", "pg_ctlcluster", "pg_dropcluster", "pg_lsclusters")


def missing_tools() -> list[str]:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    missing += [str(PG_BIN / name) for name in ("pg_basebackup", "psql") if not (PG_BIN / name).exists()]
    return missing


def as_postgres(args: list[str]) -> list[str]:
    """Root runs the server's own tools as the postgres user; the postgres user runs them itself."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *args]
    if pwd.getpwuid(os.geteuid()).pw_name == "postgres":
        return args
    raise RuntimeError("the replica test runs PostgreSQL's tools: run it as root or as postgres")


def run(args: list[str], timeout: int = 60) -> str:
    done = subprocess.run(args, capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({done.returncode}): {done.stdout}{done.stderr}")
    return done.stdout


@dataclass(frozen=True)
class Cluster:
    name: str
    port: int

    @property
    def data_dir(self) -> Path:
        return Path(f"/var/lib/postgresql/{VERSION}/{self.name}")

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def sql(self, statement: str, database: str = "postgres") -> str:
        args = [str(PG_BIN / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", database]
        return run([*args, "-XAtqc", statement]).strip()

    def exists(self) -> bool:
        return any(line.split()[1:2] == [self.name] for line in run(["pg_lsclusters", "-h"]).splitlines())

    def create(self, *, start: bool) -> None:
        args = ["pg_createcluster", VERSION, self.name, "-p", str(self.port)]
        run([*args, *(["--start"] if start else []), "--", "--auth=trust"])

    def start(self) -> None:
        run(["pg_ctlcluster", VERSION, self.name, "start"])

    def stop(self) -> None:
        run(["pg_ctlcluster", VERSION, self.name, "stop", "-m", "fast"])

    def drop(self) -> None:
        if self.exists():
            run(["pg_dropcluster", "--stop", VERSION, self.name])

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sql("SELECT 1")
                return
            except RuntimeError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)


def make_replica(replica: Cluster, primary: Cluster) -> None:
    """A new cluster whose data directory is a base backup of `primary`, streaming from it."""
    replica.create(start=False)
    for entry in replica.data_dir.iterdir():
        if entry.is_dir():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    backup = [str(PG_BIN / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres"]
    run(as_postgres([*backup, "-D", str(replica.data_dir), "-R", "-X", "stream", "-c", "fast"]), timeout=120)
    replica.start()
    replica.wait_ready()


@contextlib.contextmanager
def primary_and_replica(primary_port: int, replica_port: int) -> Iterator[tuple[Cluster, Cluster]]:
    primary = Cluster(f"voipadmin_primary_{primary_port}", primary_port)
    replica = Cluster(f"voipadmin_replica_{replica_port}", replica_port)
    for stale in (replica, primary):  # left by a run that was killed before its own clean-up
        stale.drop()
    try:
        primary.create(start=True)
        primary.wait_ready()
        make_replica(replica, primary)
        yield primary, replica
    finally:
        for cluster in (replica, primary):
            cluster.drop()

"""A throw-away PgBouncer in transaction mode in front of the suite's PostgreSQL, for one test."""

import contextlib
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

CONFIG = """\
[databases]
* = host={host} port={port}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {listen}
unix_socket_dir =
auth_type = trust
auth_file = {folder}/userlist.txt
pool_mode = transaction
default_pool_size = 4
max_client_conn = 200
server_reset_query =
ignore_startup_parameters = extra_float_digits,options
logfile = {folder}/pgbouncer.log
pidfile = {folder}/pgbouncer.pid
"""


def wait_listening(port: int, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while True:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        if time.monotonic() > deadline:
            raise RuntimeError(f"pgbouncer did not listen on {port} within {timeout} s")
        time.sleep(0.1)


@contextlib.contextmanager
def pgbouncer(*, listen: int, host: str, port: int, user: str, folder: Path) -> Iterator[subprocess.Popen]:
    """PgBouncer on 127.0.0.1:`listen`, pooling by transaction to host:port; stopped on the way out.

    PgBouncer refuses to run as root: root starts it with `-u postgres`."""
    binary = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "userlist.txt").write_text(f'"{user}" ""\n')
    config = folder / "pgbouncer.ini"
    config.write_text(CONFIG.format(host=host, port=port, listen=listen, folder=folder))
    args = [binary, str(config)]
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
        for entry in folder.iterdir():
            shutil.chown(entry, "postgres")
        folder.chmod(0o755)
        args = [binary, "-u", "postgres", str(config)]
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        wait_listening(listen)
        yield process
    finally:
        process.terminate()
        process.wait(timeout=15)

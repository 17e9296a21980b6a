"""Free loopback ports for the tests that start servers of their own (PgBouncer, PostgreSQL
clusters), so two runs on one machine never meet on a fixed port."""

import socket


def free_ports(count: int) -> list[int]:
    """`count` distinct TCP ports nobody listens on now (held open together while chosen)."""
    probes = [socket.socket() for _ in range(count)]
    try:
        for probe in probes:
            probe.bind(("127.0.0.1", 0))
        return [probe.getsockname()[1] for probe in probes]
    finally:
        for probe in probes:
            probe.close()

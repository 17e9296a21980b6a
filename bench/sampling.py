"""Repeated requests to one URL: server time percentiles (Server-Timing) beside the client's."""

import time
from dataclasses import dataclass

from .client import Client
from .harness import median, percentile


@dataclass
class Sample:
    path: str
    server_ms: list[float]
    wall_ms: list[float]

    @property
    def n(self) -> int:
        return len(self.server_ms)

    @property
    def p50(self) -> float:
        return median(self.server_ms)

    @property
    def p95(self) -> float:
        return percentile(self.server_ms, 0.95)

    def text(self) -> str:
        return f"p50 {self.p50:,.1f} ms / p95 {self.p95:,.1f} ms"

    def text_with_n(self) -> str:
        return f"{self.text()} (n={self.n})"


def sample(
    client: Client, path: str, *, requests: int = 50, warmup: int = 2, budget_s: float | None = None, minimum: int = 5
) -> Sample:
    """`requests` GETs of `path` after `warmup` untimed ones; with `budget_s`, stop once that much
    time has passed (after at least `minimum` requests) and say how many were made."""
    for _ in range(warmup):
        reply = client.get(path)
        if reply.status != 200:
            raise SystemExit(f"bench: GET {path} answered {reply.status}: {reply.body[:300]!r}")
    server, wall = [], []
    started = time.monotonic()
    for _ in range(requests):
        reply = client.get(path)
        if reply.status != 200 or reply.server_ms is None:
            raise SystemExit(f"bench: GET {path} answered {reply.status} without Server-Timing")
        server.append(reply.server_ms)
        wall.append(reply.wall_ms)
        if budget_s is not None and len(server) >= minimum and time.monotonic() - started > budget_s:
            break
    return Sample(path=path, server_ms=server, wall_ms=wall)

"""What every measurement shares: timing, percentiles, memory of a process, the results table."""

import os
import platform
import statistics
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path


@contextmanager
def timed() -> Iterator[dict]:
    """`with timed() as t: ...` then `t["seconds"]`."""
    result: dict = {}
    started = time.perf_counter()
    try:
        yield result
    finally:
        result["seconds"] = time.perf_counter() - started


def percentile(values: list[float], fraction: float) -> float:
    """Linear interpolation between the closest ranks (numpy's default)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


# -- memory of a process (Linux /proc)


def _status_kb(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def rss_mb(pid: int) -> float:
    return _status_kb(pid, "VmRSS") / 1024


def hwm_mb(pid: int) -> float:
    """The process's peak resident set since start, or since `reset_peak`."""
    return _status_kb(pid, "VmHWM") / 1024


def reset_peak(pid: int) -> bool:
    """Start VmHWM afresh (Linux: `echo 5 > /proc/PID/clear_refs`, allowed on our own processes)."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


class RssSampler:
    """Samples VmRSS of some processes in a thread; `peak_mb` is the highest seen (with VmHWM)."""

    def __init__(self, pids: list[int], interval: float = 0.02):
        self.pids = pids
        self.interval = interval
        self.peak: dict[int, float] = dict.fromkeys(pids, 0.0)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            for pid in self.pids:
                with suppress(OSError, ValueError):
                    self.peak[pid] = max(self.peak[pid], rss_mb(pid))
            self._stop.wait(self.interval)

    def __enter__(self) -> "RssSampler":
        for pid in self.pids:
            reset_peak(pid)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        for pid in self.pids:
            with suppress(OSError, ValueError):
                self.peak[pid] = max(self.peak[pid], hwm_mb(pid))

    @property
    def peak_mb(self) -> float:
        return max(self.peak.values(), default=0.0)


class LoadSampler:
    """The 1-minute load average every few seconds: how busy the shared machine was meanwhile."""

    def __init__(self, interval: float = 5.0):
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.interval = interval

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append(os.getloadavg()[0])
            self._stop.wait(self.interval)

    def start(self) -> "LoadSampler":
        self._thread.start()
        return self

    def stop(self) -> str:
        self._stop.set()
        self._thread.join()
        if not self.samples:
            return "n/a"
        mean = sum(self.samples) / len(self.samples)
        return f"1-min load average min {min(self.samples):.2f}, mean {mean:.2f}, max {max(self.samples):.2f}"


# -- the results table


@dataclass
class Row:
    """One line of the results table: a measurement beside its reference, and the target."""

    number: str
    what: str
    result: str
    reference: str = ""
    comparison: str = ""
    target: str = ""
    met: bool | None = None  # None: no target, or not measured
    note: str = ""
    # The 1-minute load average when the line was measured: a figure taken while something else
    # shared the 2 cores says so beside it.
    load: float = field(default_factory=lambda: os.getloadavg()[0])

    @property
    def verdict(self) -> str:
        if self.met is None:
            return "—" if not self.target else "n/a"
        return "met" if self.met else "**MISSED**"


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    sections: list[tuple[str, str]] = field(default_factory=list)  # (title, markdown)

    def add(self, *rows: Row) -> None:
        self.rows.extend(rows)

    def section(self, title: str, text: str) -> None:
        self.sections.append((title, text))


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", "<br>")


def in_order(rows: list[Row]) -> list[Row]:
    """The issue's numbering (1a, 1b, 2a, ...), whatever order the measurements ran in."""
    return sorted(rows, key=lambda row: (int("".join(ch for ch in row.number if ch.isdigit()) or 0), row.number))


def table_markdown(rows: list[Row]) -> str:
    rows = in_order(rows)
    head = "| # | measurement | result | reference (same run) | comparison | target | verdict | load (1 min) |\n"
    head += "|---|---|---|---|---|---|---|---|\n"
    lines = [
        "| "
        + " | ".join(
            _cell(value)
            for value in (
                row.number,
                row.what,
                row.result,
                row.reference,
                row.comparison,
                row.target,
                row.verdict,
                f"{row.load:.2f}",
            )
        )
        + " |"
        for row in rows
    ]
    notes = [f"- **{row.number}** {row.note}" for row in rows if row.note]
    return head + "\n".join(lines) + ("\n\nNotes:\n\n" + "\n".join(notes) if notes else "") + "\n"


def table_text(rows: list[Row]) -> str:
    """The same table for a terminal: one block per row, aligned."""
    rows = in_order(rows)
    out = []
    for row in rows:
        out.append(f"[{row.number}] {row.what}  ->  {row.verdict}  (load {row.load:.2f})")
        out.append(f"      result:     {row.result}")
        if row.reference:
            out.append(f"      reference:  {row.reference}")
        if row.comparison:
            out.append(f"      comparison: {row.comparison}")
        if row.target:
            out.append(f"      target:     {row.target}")
    return "\n".join(out)


# -- the machine


def machine_info() -> dict[str, str]:
    import django

    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = _meminfo_kb("MemTotal")
    return {
        "CPU": cpu,
        "cores": str(os.cpu_count()),
        "RAM": f"{mem_kb / 1024 / 1024:.1f} GiB",
        "OS": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(),
        "Django": django.get_version(),
    }


def _meminfo_kb(key: str) -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def fmt_int(value: float) -> str:
    return f"{value:,.0f}"


def fmt_rate(rows: float, seconds: float, unit: str = "rows/s") -> str:
    return f"{rows / seconds:,.0f} {unit}" if seconds > 0 else "n/a"

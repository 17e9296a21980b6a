"""The benchmark's data: accounts, bindings, a year of SIP events and of CDRs, and the console's
other tables (web accesses, audit, server events, conferences, chat, recordings, endpoints),
loaded with COPY.

Deterministic (fixed seeds and dates): two runs at one scale load the same rows.
"""

import random
from dataclasses import dataclass

from django.db import connection

from cdr.models import Cdr
from cdr.rollup import TABLE, rollup_rebuild, rollup_suspended
from sip_sessions.models import SipEvent
from voipadmin.partitions import ensure_partitions

from ..harness import timed
from .calls import load_cdrs
from .clock import END, MONTHS, START
from .console import load_console_tables
from .loading import indexes_built_after, vacuum_analyze
from .people import ACCOUNTS, load_accounts, load_bindings, make_accounts, plan_bindings
from .sip import load_sip_events

SEED = 20261122


@dataclass(frozen=True)
class Scale:
    """`SCALE=10m`: 10M CDRs and 10M SIP events; the workloads are a tenth (1M at 10m)."""

    rows: int

    @classmethod
    def parse(cls, text: str) -> "Scale":
        word = text.strip().lower()
        factor = {"k": 1_000, "m": 1_000_000}.get(word[-1:], 1)
        number = word[:-1] if factor > 1 else word
        try:
            rows = int(float(number) * factor)
        except ValueError:
            raise SystemExit(f"SCALE={text!r}: give a row count such as 1m, 10m or 200k") from None
        if rows < 10_000:
            raise SystemExit(f"SCALE={text!r}: at least 10k rows")
        return cls(rows)

    @property
    def label(self) -> str:
        if self.rows % 1_000_000 == 0:
            return f"{self.rows // 1_000_000}m"
        return f"{self.rows // 1000}k"

    @property
    def workload(self) -> int:
        """Rows of export, delete and pending reconciliation: 1M at SCALE=10m."""
        return self.rows // 10

    @property
    def bindings(self) -> int:
        return self.rows // 100


@dataclass
class Loaded:
    accounts: int
    bindings: int
    sip_events: int
    cdrs: int
    seconds: float
    console_rows: dict[str, int]
    rollup_rows: int = 0
    rollup_seconds: float = 0.0

    def describe(self) -> str:
        return (
            f"{self.cdrs:,} CDRs and {self.sip_events:,} SIP events over {MONTHS} months "
            f"({START:%Y-%m} to {END:%Y-%m}, one partition each), {self.accounts:,} accounts, "
            f"{self.bindings:,} registration bindings; "
            + ", ".join(f"{rows:,} rows in {table}" for table, rows in self.console_rows.items())
            + f"; loaded with COPY in {self.seconds:.0f} s, the CDR chart's rollup ({self.rollup_rows:,} rows) "
            f"rebuilt from the CDRs in {self.rollup_seconds:.1f} s of that"
        )


def generate(scale: Scale, log=print) -> Loaded:
    rng = random.Random(SEED)
    with timed() as clock:
        ensure_partitions(SipEvent, START, END)
        ensure_partitions(Cdr, START, END)
        accounts = make_accounts(rng)
        plan_bindings(rng, accounts, scale.bindings)
        with indexes_built_after("registrations_account"):
            load_accounts(accounts)
        with indexes_built_after("registrations_registrationbinding"):
            bindings = load_bindings(rng, accounts)
        log(f"  {ACCOUNTS:,} accounts, {bindings:,} bindings")
        with timed() as step, indexes_built_after("sip_sessions_sipevent"):
            sip_events = load_sip_events(random.Random(SEED + 1), accounts, scale.rows)
            log(f"  {sip_events:,} SIP events copied, building indexes...")
        log(f"  SIP events ready in {step['seconds']:.0f} s")
        with timed() as step, indexes_built_after("cdr_cdr"), rollup_suspended():
            cdrs = load_cdrs(random.Random(SEED + 2), accounts, scale.rows)
            log(f"  {cdrs:,} CDRs copied, building indexes...")
        log(f"  CDRs ready in {step['seconds']:.0f} s")
        # the chart's rollup, as the product builds it for rows it did not see arrive
        with timed() as rollup:
            rollup_rows = rollup_rebuild()
        log(f"  CDR rollup rebuilt: {rollup_rows:,} rows in {rollup['seconds']:.1f} s")
        console_rows = load_console_tables(random.Random(SEED + 3), accounts, scale.rows, log=log)
        vacuum_analyze(
            "registrations_account",
            "registrations_registrationbinding",
            "sip_sessions_sipevent",
            "cdr_cdr",
            TABLE,
            *console_rows,
        )
    return Loaded(
        accounts=len(accounts),
        bindings=bindings,
        sip_events=sip_events,
        cdrs=cdrs,
        seconds=clock["seconds"],
        rollup_rows=rollup_rows,
        rollup_seconds=rollup["seconds"],
        console_rows=console_rows,
    )


def table_rows(table: str) -> int:
    """The planner's row count of a table (its partitions summed): no scan."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT COALESCE(SUM(GREATEST(c.reltuples, 0)), 0)::bigint FROM pg_class c
            WHERE c.oid = %s::regclass OR c.oid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = %s::regclass)
            """,
            [table, table],
        )
        return cursor.fetchone()[0]

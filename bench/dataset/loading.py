"""Bulk loading into PostgreSQL: COPY of generated lines, with the secondary indexes built after.

Building an index once over the loaded rows is a sort; keeping ten of them up to date row by row
through a 10M-row load is random I/O. The definitions are read from the catalogue and put back
exactly, so the loaded table is the one the migrations made.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.db import connection

FLUSH_BYTES = 1 << 20


def text(value: str) -> str:
    """A value for COPY's text format: backslash, tab and line ends escaped."""
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        value = value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return value


def copy_lines(table: str, columns: list[str], lines: Iterable[str]) -> int:
    """COPY tab-separated lines (no trailing newline; NULL as \\N) into `table`; returns the rows."""
    names = ", ".join(connection.ops.quote_name(name) for name in columns)
    count = 0
    buffer: list[str] = []
    size = 0
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for line in lines:
            buffer.append(line)
            size += len(line) + 1
            count += 1
            if size >= FLUSH_BYTES:
                copy.write("\n".join(buffer) + "\n")
                buffer, size = [], 0
        if buffer:
            copy.write("\n".join(buffer) + "\n")
    return count


def _fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _execute(*statements: str) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


@contextmanager
def indexes_built_after(table: str) -> Iterator[None]:
    """Drop the table's secondary indexes and foreign keys for the load, then recreate them.

    Indexes backing a constraint (primary key, unique identity) stay: the loads come in key order.
    """
    indexes = _fetch(
        """
        SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
        WHERE x.indrelid = %s::regclass
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
        ORDER BY i.relname
        """,
        [table],
    )
    foreign_keys = _fetch(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f'",
        [table],
    )
    quote = connection.ops.quote_name
    _execute(*(f"DROP INDEX {quote(name)}" for name, _ in indexes))
    _execute(*(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}" for name, _ in foreign_keys))
    yield
    _execute("SET maintenance_work_mem = '512MB'")
    # A partitioned index is read back as "ON ONLY parent"; created on the parent it cascades.
    _execute(*(definition.replace(" ON ONLY ", " ON ", 1) for _, definition in indexes))
    _execute(
        *(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}" for name, definition in foreign_keys)
    )
    _execute("RESET maintenance_work_mem")


def restart_identity(table: str) -> None:
    """After rows were loaded with explicit ids, new rows continue above them."""
    _execute(
        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
    )


def vacuum_analyze(*tables: str) -> None:
    """What autovacuum would have done by now: visibility map (index-only scans), hint bits, statistics."""
    _execute(*(f"VACUUM (ANALYZE) {connection.ops.quote_name(table)}" for table in tables))

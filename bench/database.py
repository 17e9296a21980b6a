"""The benchmark's own PostgreSQL database: made afresh for every run, migrated like production."""

import subprocess
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/voipadmin_bench"


class NoPostgres(SystemExit):
    pass


def _name(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise NoPostgres(
            f"bench: BENCH_DATABASE_URL must be a postgres:// URL (got {url!r}); the benchmark is PostgreSQL only."
        )
    name = parts.path.lstrip("/")
    if "bench" not in name:
        raise NoPostgres(f"bench: refusing to recreate database {name!r}: its name must contain 'bench'.")
    return name


def _maintenance_url(url: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/postgres"))


def recreate(url: str) -> str:
    """Drop and create the benchmark database; returns the server version. Fails loudly without
    PostgreSQL."""
    name = _name(url)
    try:
        with psycopg.connect(_maintenance_url(url), autocommit=True, connect_timeout=5) as conn:
            version = conn.execute("SHOW server_version").fetchone()[0]
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.OperationalError as error:
        raise NoPostgres(f"bench: PostgreSQL does not answer at {url}: {error}") from None
    return version


def server_version(url: str) -> str:
    try:
        with psycopg.connect(url, connect_timeout=5) as conn:
            return conn.execute("SHOW server_version").fetchone()[0]
    except psycopg.OperationalError as error:
        raise NoPostgres(f"bench: PostgreSQL does not answer at {url}: {error}") from None


def require_psql() -> None:
    try:
        subprocess.run(["psql", "--version"], check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError):
        raise NoPostgres("bench: the COPY reference runs through psql; install the PostgreSQL client.") from None

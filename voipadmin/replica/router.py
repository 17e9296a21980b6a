"""The database router: the primary for every write and for reads outside a read scope."""

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

from django.db import DEFAULT_DB_ALIAS, connections

# A person's own state is read where it was written, whatever the page.
PRIMARY_ONLY_MODELS = frozenset(
    {"sessions.session", "authtoken.token", "voipadmin.preference", "voipadmin.deletionjob"}
)

_read_alias: ContextVar[str | None] = ContextVar("voipadmin_read_alias", default=None)


@contextlib.contextmanager
def reads_on(alias: str) -> Iterator[None]:
    """Within this block the ORM's reads go to `alias` (the replica or the primary)."""
    token = _read_alias.set(alias)
    try:
        yield
    finally:
        _read_alias.reset(token)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        instance = hints.get("instance")
        if instance is not None and instance._state.db:
            return instance._state.db
        if model._meta.label_lower in PRIMARY_ONLY_MODELS:
            return DEFAULT_DB_ALIAS
        alias = _read_alias.get()
        if alias is not None and alias != DEFAULT_DB_ALIAS and connections[DEFAULT_DB_ALIAS].in_atomic_block:
            # Inside a transaction on the primary a read may feed a write: read what it will change.
            return DEFAULT_DB_ALIAS
        return alias

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # Both aliases are one database: a row read on the replica may point at one on the primary.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS

"""Which models the audit log captures, and how (docs/audit-events-lockout.md).

Administrative tables are registered here, from the audit app's side, so the apps that own them
need no audit code: every save, delete and many-to-many change of a registered model becomes an
audit record with each parameter's before and after value. Event-stream tables (SIP events, CDRs,
terminal states, conference events) are never registered: they grow by millions of rows a day and
record what the server did, not what someone changed.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models


@dataclass(frozen=True)
class Audited:
    model: type[models.Model]
    exclude: frozenset[str] = frozenset()  # bookkeeping the save sets itself (timestamps)
    secret: frozenset[str] = frozenset()  # recorded as changed, the value never
    m2m: tuple[str, ...] = ()
    key: tuple[str, ...] = ("id",)  # the fields naming a row in the statement (never a secret)
    actions: frozenset[str] = frozenset({"A", "U", "D"})
    config: bool = True  # part of the Configuration Changes report
    active_field: str = ""  # a change gives an activation / deactivation server event
    username_field: str = ""  # the login / account name, for server events and restores
    password_field: str = ""  # a new password is PSWD_CHNG, never a plain update
    label: Callable[[Any], str] | None = None  # how the row is named (str() by default)

    @property
    def table(self) -> str:
        return self.model._meta.db_table

    def recorded_fields(self, only: frozenset[str] | None = None) -> list[models.Field]:
        fields = [
            field
            for field in self.model._meta.concrete_fields
            if not field.primary_key and field.name not in self.exclude
        ]
        if only is not None:
            fields = [field for field in fields if field.name in only or field.attname in only]
        return fields

    def name_of(self, instance: models.Model) -> str:
        text = self.label(instance) if self.label else str(instance)
        return f"{self.model._meta.verbose_name} {text}"[:200]

    def key_of(self, instance: models.Model) -> dict[str, Any]:
        return {name: getattr(instance, name) for name in self.key}


_audited: dict[type[models.Model], Audited] = {}
# Tables whose changes are written by their own service, not captured (the console settings).
_config_tables: set[str] = set()


def config_table_register(table: str) -> None:
    """Show the audit records of `table` in Configuration Changes too."""
    _config_tables.add(table)


def audit_model(model: type[models.Model], **options: Any) -> Audited:
    """Capture every change of `model` (idempotent: registering again replaces the options)."""
    spec = Audited(model=model, **options)
    _audited[model] = spec
    return spec


def audited(model: type[models.Model]) -> Audited | None:
    return _audited.get(model) or _audited.get(model._meta.concrete_model)


def audited_models() -> list[Audited]:
    return list(_audited.values())


def config_tables() -> list[str]:
    """Tables whose changes the Configuration Changes report shows: the console's own audited
    tables, its settings and the VoIP server's sections pushed to POST /api/v1/config-changes/."""
    from .models import SERVER_CONFIG_TABLES

    captured = {spec.table for spec in _audited.values() if spec.config}
    return sorted(captured | _config_tables | set(SERVER_CONFIG_TABLES))

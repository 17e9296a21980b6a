"""The models this console audits (audit/registry.py), registered from the audit app's side."""

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from .registry import audit_model, config_table_register


def register_audited_models() -> None:
    user_model = get_user_model()
    audit_model(
        user_model,
        exclude=frozenset({"last_login", "date_joined"}),
        secret=frozenset({"password"}),
        m2m=("groups", "user_permissions"),
        active_field="is_active",
        username_field=user_model.USERNAME_FIELD,
        password_field="password",  # noqa: S106 - the field name, not a password
    )
    audit_model(Group, m2m=("permissions",))
    if apps.is_installed("registrations"):
        audit_model(
            apps.get_model("registrations", "Account"),
            exclude=frozenset({"created_at", "updated_at"}),
            active_field="active",
            username_field="username",
        )
    audit_model(apps.get_model("voipadmin", "Preference"))
    # The Settings page writes its own records (the setting as parameter, the effective value before).
    config_table_register(apps.get_model("voipadmin", "ConsoleSetting")._meta.db_table)
    # The key of an API token is its primary key and its secret: rows are named by their user.
    audit_model(
        apps.get_model("authtoken", "Token"),
        secret=frozenset({"key"}),
        key=("user_id",),
        label=lambda token: f"of {token.user}",
    )
    # A filtered delete is requested here; its outcome is the D record the deletion writes.
    audit_model(
        apps.get_model("voipadmin", "DeletionJob"),
        exclude=frozenset(
            {
                "started_at",
                "finished_at",
                "heartbeat_at",
                "state",
                "deleted",
                "protected",
                "cascaded",
                "error",
                "attempts",
            }
        ),
        actions=frozenset({"A"}),
        config=False,
        label=lambda job: f"{job.pk} ({job.report})",
    )

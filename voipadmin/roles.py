"""The console's roles as Django groups, kept in step with the models after every migrate.

Operators browse every report but the audit log (seed 002: for Administrators only); Support may
also export CSV; Admins may also read the audit log, delete filtered rows and edit accounts; Ingest
is for machine clients that push events with a token, and reads only what such a client reads back
(accounts, terminal states, monitoring): its token lives in the PBX's configuration, and a leaked
one must not open the audit log, web sessions, chat or CDRs.
"""

from django.apps import apps as global_apps
from django.contrib.auth.models import Group, Permission

REPORT_APPS = ("registrations", "sip_sessions", "cdr", "audit", "conferences", "monitoring")
ROLE_NAMES = ("Operators", "Support", "Admins", "Ingest")
# The reads of a machine client: GET /api/v1/accounts/, /terminal-states/ and /monitoring/.
INGEST_READS = (("registrations", "view_account"), ("monitoring", "view_terminalstate"))
# Seed 002: the Audit Log "is available only for web users with Administrator privileges".
ADMIN_ONLY_VIEWS = (("audit", "view_auditrecord"),)
# The Settings page (/settings/) is for Administrators.
SETTINGS_RIGHTS = (("voipadmin", "view_consolesetting"), ("voipadmin", "change_consolesetting"))


def _models() -> list:
    """The models of the console's apps and of every registered report."""
    from .reports.definition import all_reports

    models = {report.model for report in all_reports()}
    for app_label in REPORT_APPS:
        try:
            models.update(global_apps.get_app_config(app_label).get_models())
        except LookupError:
            continue
    return sorted(models, key=lambda model: model._meta.label)


def _named(wanted) -> list[Permission]:
    """The permissions named by (app label, codename) pairs."""
    wanted = set(wanted)
    labels = {app_label for app_label, _ in wanted}
    found = Permission.objects.filter(content_type__app_label__in=labels).select_related("content_type")
    return [p for p in found if (p.content_type.app_label, p.codename) in wanted]


def _perms(actions: tuple[str, ...]) -> list[Permission]:
    wanted = {
        (model._meta.app_label, f"{action}_{model._meta.model_name}")
        for model in _models()
        for action in actions
        if action in model._meta.default_permissions
    }
    return _named(wanted)


def _console(codename: str) -> list[Permission]:
    return list(Permission.objects.filter(content_type__app_label="voipadmin", codename=codename))


def sync_roles(sender=None, **kwargs) -> None:
    """Runs once per migrate (and test flush), after the last app's post_migrate, when every app's
    permissions exist; a role whose rights are already right is not written (nor audited)."""
    if sender is not None and sender is not list(global_apps.get_app_configs())[-1]:
        return
    view = _perms(("view",))
    admin_only = {permission.pk for permission in _named(ADMIN_ONLY_VIEWS)}
    everyone = [permission for permission in view if permission.pk not in admin_only]
    export = _console("export_reports")
    admin = _perms(("add", "change", "delete")) + _console("export_reports") + _named(SETTINGS_RIGHTS)
    ingest = _console("ingest_events") + _named(INGEST_READS)
    roles = {
        "Operators": everyone,
        "Support": everyone + export,
        "Admins": view + admin,
        "Ingest": ingest,
    }
    for name, permissions in roles.items():
        group, _ = Group.objects.get_or_create(name=name)
        if set(group.permissions.values_list("pk", flat=True)) != {permission.pk for permission in permissions}:
            group.permissions.set(permissions)


def is_machine_client(user) -> bool:
    """A user whose only role is Ingest: a machine client's token user, not a person."""
    if user.is_superuser or user.is_staff:
        return False
    names = set(user.groups.values_list("name", flat=True))
    return "Ingest" in names and not names & {"Operators", "Support", "Admins"}

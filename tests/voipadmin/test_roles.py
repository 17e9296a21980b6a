import pytest
from django.contrib.auth.models import Group

pytestmark = pytest.mark.django_db


def perms(role: str) -> set[str]:
    return {f"{p.content_type.app_label}.{p.codename}" for p in Group.objects.get(name=role).permissions.all()}


def test_roles_after_migrate():
    assert "audit.view_webaccess" in perms("Operators")
    assert "voipadmin.export_reports" not in perms("Operators")
    assert "voipadmin.export_reports" in perms("Support")
    assert {"audit.delete_webaccess", "voipadmin.export_reports"} <= perms("Admins")
    assert "voipadmin.ingest_events" in perms("Ingest")
    assert "voipadmin.ingest_events" not in perms("Admins")


def test_a_second_migrate_leaves_roles_and_the_audit_log_alone():
    import io

    from django.core.management import call_command

    from audit.models import AuditRecord

    before = AuditRecord.objects.filter(resource_table="auth_group").count()
    call_command("migrate", verbosity=0, stdout=io.StringIO())
    assert AuditRecord.objects.filter(resource_table="auth_group").count() == before
    assert "voipadmin.export_reports" in perms("Support")

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

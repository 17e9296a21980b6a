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


def test_ingest_pushes_and_reads_only_what_a_machine_client_reads_back():
    assert perms("Ingest") == {
        "voipadmin.ingest_events",
        "registrations.view_account",
        "monitoring.view_terminalstate",
    }


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/audit/",
        "/api/v1/web-sessions/",
        "/api/v1/chat-messages/",
        "/api/v1/cdrs/",
        "/api/v1/sip-events/",
        "/api/v1/server-events/",
        "/api/v1/config-changes/",
        "/api/v1/registrations/",
        "/api/v1/conferences/",
    ],
)
def test_a_leaked_ingest_token_reads_no_report(ingest_client, admin_client, path):
    refused = ingest_client.get(path)
    assert refused.status_code == 403, path
    assert "results" not in refused.json()
    assert admin_client.get(path).status_code == 200  # the report is there for a person


@pytest.mark.parametrize("path", ["/api/v1/accounts/", "/api/v1/monitoring/", "/api/v1/terminal-states/"])
def test_an_ingest_token_reads_what_machine_clients_read(ingest_client, path):
    response = ingest_client.get(path)
    assert response.status_code == 200, response.content
    assert "results" in response.json()

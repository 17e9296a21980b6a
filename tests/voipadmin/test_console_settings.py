"""The Settings page (/settings/): the manuals' console settings, for Administrators; each stored,
the environment as default, every change in Configuration Changes, read back cached."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditRecord
from audit.services.lockout import cooloff, threshold
from tests.voipadmin.factories import PASSWORD
from voipadmin.console_settings import SPECS, console_setting, console_settings_update
from voipadmin.models import ConsoleSetting

pytestmark = pytest.mark.django_db

URL = "/settings/"


def form_values(**changes) -> dict:
    values = {spec.key: console_setting(spec.key) for spec in SPECS}
    values.update(changes)
    # an unchecked box is absent from a submitted form
    return {key: value for key, value in values.items() if value is not False}


def test_only_administrators_open_the_settings(client, operator, support, admin_user):
    for user in (operator, support):
        client.force_login(user)
        assert client.get(URL).status_code == 403
        assert client.post(URL, form_values(LOGIN_LOCKOUT_THRESHOLD=2)).status_code == 403
        assert 'href="/settings/"' not in client.get("/").content.decode()
    assert not ConsoleSetting.objects.exists()
    client.force_login(admin_user)
    page = client.get(URL).content.decode()
    for section in ("Account blocking", "Recordings", "Endpoints", "Diagnostics"):
        assert f'data-section="{section}"' in page
    assert 'href="/settings/"' in client.get("/").content.decode()  # in the menu


def test_the_environment_is_the_default(admin_client, settings):
    settings.LOGIN_LOCKOUT_THRESHOLD = 7
    assert console_setting("LOGIN_LOCKOUT_THRESHOLD") == 7
    assert console_setting("ENDPOINT_RETENTION_DAYS") == 180  # seed 001's default
    page = admin_client.get(URL).content.decode()
    assert 'name="LOGIN_LOCKOUT_THRESHOLD" value="7"' in page
    assert "Default (LOGIN_LOCKOUT_THRESHOLD): 7." in page


def test_a_change_is_stored_and_written_to_configuration_changes(admin_client, admin_user):
    response = admin_client.post(URL, form_values(LOGIN_LOCKOUT_THRESHOLD=3, MONITORING_DIAGNOSTICS_DETAIL="full"))
    assert response.status_code == 302
    stored = dict(ConsoleSetting.objects.values_list("key", "value"))
    assert stored == {"LOGIN_LOCKOUT_THRESHOLD": 3, "MONITORING_DIAGNOSTICS_DETAIL": "full"}
    assert threshold() == 3
    record = AuditRecord.objects.get(
        resource_table="voipadmin_consolesetting", resource_id="key=LOGIN_LOCKOUT_THRESHOLD"
    )
    assert record.details["changes"] == {"LOGIN_LOCKOUT_THRESHOLD": [5, 3]}
    assert record.actor == f"u:0:{admin_user.pk}:boss"
    changes = admin_client.get("/config-changes/?resource_table=voipadmin_consolesetting").content.decode()
    assert "LOGIN_LOCKOUT_THRESHOLD: 5 → 3" in changes
    assert "MONITORING_DIAGNOSTICS_DETAIL: headers → full" in changes
    assert admin_client.get("/audit/?resource_table=voipadmin_consolesetting").content.decode().count("data-pk=") == 2
    # saving the same values again records nothing
    admin_client.post(URL, form_values())
    assert AuditRecord.objects.filter(resource_table="voipadmin_consolesetting").count() == 2


def test_a_bad_value_is_refused_naming_the_setting(admin_client):
    response = admin_client.post(URL, form_values(LOGIN_LOCKOUT_THRESHOLD=0, MONITORING_DIAGNOSTICS_DETAIL="all"))
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-error="LOGIN_LOCKOUT_THRESHOLD"' in page and 'data-error="MONITORING_DIAGNOSTICS_DETAIL"' in page
    assert not ConsoleSetting.objects.exists()
    with pytest.raises(ValueError, match="RECORDING_RETENTION_DAYS"):
        console_settings_update(values={"RECORDING_RETENTION_DAYS": -1}, user=None)
    with pytest.raises(ValueError, match="NO_SUCH"):
        console_settings_update(values={"NO_SUCH": 1}, user=None)


def test_reading_is_cached_so_a_storm_of_reads_queries_once(admin_user):
    console_settings_update(values={"LOGIN_LOCKOUT_COOLOFF": 60}, user=admin_user)
    with CaptureQueriesContext(connection) as queries:
        for _ in range(200):
            assert cooloff() == datetime.timedelta(seconds=60)
            assert threshold() == 5
    assert len(queries) <= 1


def test_the_lockout_follows_the_saved_threshold(client, operator, admin_user):
    console_settings_update(values={"LOGIN_LOCKOUT_THRESHOLD": 2}, user=admin_user)
    for _ in range(2):
        client.post("/login/", {"username": "operator", "password": "wrong"})
    refused = client.post("/login/", {"username": "operator", "password": PASSWORD})
    assert "locked" in refused.content.decode()


def test_recordings_follow_the_saved_size_and_retention(ingest_client, admin_user):
    from conferences.models import Recording
    from conferences.services.media import recordings_delete_expired
    from tests.conferences.factories import RecordingFactory, SessionFactory, wav_bytes

    session = SessionFactory(session_id="S-set")
    console_settings_update(values={"RECORDING_MAX_UPLOAD_BYTES": 1000}, user=admin_user)
    upload = SimpleUploadedFile("r.wav", wav_bytes(seconds=1), content_type="audio/wav")
    response = ingest_client.post("/api/v1/recordings/", {"session_id": "S-set", "file": upload}, format="multipart")
    assert response.status_code == 413
    old = RecordingFactory(session=session, created_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))
    now = datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC)
    assert recordings_delete_expired(now=now) == 0  # 0 days: keep
    console_settings_update(values={"RECORDING_RETENTION_DAYS": 30}, user=admin_user)
    assert recordings_delete_expired(now=now) == 1
    assert not Recording.objects.filter(pk=old.pk).exists()


def test_old_endpoints_proposes_the_saved_retention(admin_client, admin_user):
    assert 'value="180"' in admin_client.get("/endpoints/cleanup/").content.decode()
    console_settings_update(values={"ENDPOINT_RETENTION_DAYS": 90}, user=admin_user)
    assert 'value="90"' in admin_client.get("/endpoints/cleanup/").content.decode()


def test_diagnostics_off_and_the_detail_level(admin_client, admin_user):
    from tests.monitoring.factories import TerminalStateEventFactory
    from tests.registrations.factories import AccountFactory

    account = AccountFactory(username="1932")
    TerminalStateEventFactory(account=account, terminal=1, kind="sip", address="192.0.2.7", model="Yealink T46U")
    url = f"/monitoring/{account.pk}/diagnostics/"
    page = admin_client.get(url).content.decode()
    assert "Yealink T46U" in page and "data-full" not in page  # headers (the default)
    console_settings_update(values={"MONITORING_DIAGNOSTICS_DETAIL": "full"}, user=admin_user)
    assert "data-full" in admin_client.get(url).content.decode()
    console_settings_update(values={"MONITORING_DIAGNOSTICS_DETAIL": "none"}, user=admin_user)
    page = admin_client.get(url).content.decode()
    assert "Yealink T46U" not in page and "data-timeline" in page
    console_settings_update(values={"MONITORING_DIAGNOSTICS_ENABLED": False}, user=admin_user)
    page = admin_client.get(url).content.decode()
    assert "data-diagnostics-off" in page and "data-timeline" not in page
    assert "data-diag-off" in admin_client.get("/monitoring/").content.decode()


def test_a_stored_value_the_setting_cannot_take_falls_back_to_the_default(admin_user):
    ConsoleSetting.objects.create(key="LOGIN_LOCKOUT_THRESHOLD", value="many")
    assert console_setting("LOGIN_LOCKOUT_THRESHOLD") == 5

"""The pages work under the Content-Security-Policy (the page fixture fails on anything it blocks):
a confirmation asked by the console's script instead of an inline handler, the API docs (Swagger UI
with its initialisation in a file of its own) and the Django admin."""

from pathlib import Path

import pytest

from conferences.models import Recording
from tests.browser.conftest import log_in
from tests.conferences.factories import RecordingFactory, SessionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_recording_delete_asks_first(page, admin_user):
    recording = RecordingFactory(session=SessionFactory(session_id="S-csp"), original_name="csp.wav")
    path = Path(recording.file.path)
    log_in(page, "boss")
    response = page.goto(f"/recordings/{recording.pk}/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "no-store" in response.headers["cache-control"]
    asked: list[str] = []

    def answer(dialog, accept):
        asked.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, False))
    page.click("button[data-delete-recording]")
    page.wait_for_timeout(300)
    assert asked == ["Delete this recording and its file?"]
    assert Recording.objects.filter(pk=recording.pk).exists()

    page.once("dialog", lambda dialog: answer(dialog, True))
    page.click("button[data-delete-recording]")
    page.wait_for_url("**/recordings/")
    assert not Recording.objects.filter(pk=recording.pk).exists() and not path.exists()


def test_api_docs_and_admin_render_under_the_policy(page, superuser):
    log_in(page, "root")
    page.goto("/api/docs/")
    page.wait_for_selector(".swagger-ui .opblock", timeout=20000)
    assert page.locator(".swagger-ui .opblock").count() > 10
    page.goto("/admin/")
    page.wait_for_selector("#content-main")
    page.goto("/admin/auth/user/")
    page.wait_for_selector("#result_list")

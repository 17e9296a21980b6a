"""Importing a Master.csv from the Django admin (django-import-export): a dry-run preview, then the import."""

import datetime
import html
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.html import strip_tags

from audit.models import AuditRecord
from cdr.models import Cdr
from tests.cdr import master_csv as mc
from tests.cdr.factories import AccountFactory, stored_fields
from tests.conftest import login_quietly

pytestmark = pytest.mark.django_db

FILE = mc.master(
    mc.L21,
    '"","1001","1002"',
    mc.L18_MULTILINE,
    mc.base(disposition="CONGESTION") + ',"1772705800.3"',
    mc.L21,  # the same record twice in one file
    mc.base(disposition="MAYBE", start="2026-03-05 12:30:00"),
)


@pytest.fixture
def staff(client, superuser):
    return login_quietly(client, superuser)


def upload(client, data: bytes = FILE, zone: str = "Europe/Rome"):
    return client.post(
        "/admin/cdr/cdr/import/",
        {
            "resource": "0",
            "format": "0",
            "time_zone": zone,
            "import_file": SimpleUploadedFile("Master.csv", data, content_type="text/csv"),
        },
    )


def preview_rows(response) -> list[tuple[str, dict]]:
    result = response.context["result"]
    headers = result.diff_headers
    return [
        (row.import_type, {name: html.unescape(strip_tags(cell)) for name, cell in zip(headers, row.diff, strict=True)})
        for row in result.rows
    ]


def test_preview_then_import(staff):
    bob = AccountFactory(username="bob", extension="1002")
    form = staff.get("/admin/cdr/cdr/import/")
    assert form.status_code == 200 and b"Asterisk Master.csv" in form.content and b"time_zone" in form.content

    preview = upload(staff)
    assert preview.status_code == 200
    rows = preview_rows(preview)
    assert [kind for kind, _values in rows] == ["new", "skip", "new", "new", "skip", "skip"]
    assert "3 columns; Asterisk" in rows[1][1]["problem"] and rows[1][1]["line"] == "2"
    assert rows[4][1]["line"] == "6"  # the record spanning lines 3-4 counts both
    assert rows[5][1]["problem"].startswith("disposition 'MAYBE' is not one of Asterisk's")
    assert Cdr.objects.count() == 0  # a dry run
    confirm = preview.context["confirm_form"]
    assert confirm.initial["time_zone"] == "Europe/Rome"

    done = staff.post("/admin/cdr/cdr/process_import/", {**confirm.initial})
    assert done.status_code == 302
    assert Cdr.objects.count() == 3
    trunk = Cdr.objects.get(uniqueid="1772708400.20")
    assert trunk.start == datetime.datetime(2026, 3, 5, 10, 0, tzinfo=datetime.UTC)  # read as Rome time
    assert trunk.callee == bob and trunk.clid == '"Rossi, Mario" <+390612345678>'
    assert Cdr.objects.get(uniqueid="1772705800.3").disposition_source == "CONGESTION"
    audit = AuditRecord.objects.get(resource_table="cdr_cdr")
    assert audit.action == "A" and "new=3" in audit.statement

    again = preview_rows(upload(staff))
    assert {kind for kind, _values in again} == {"skip"}


def test_same_file_as_the_command_gives_the_same_identities(staff, tmp_path):
    from django.core.management import call_command

    data = mc.master(mc.L16, mc.L17_UNIQUEID)
    path = tmp_path / "Master.csv"
    path.write_bytes(data)
    call_command("import_asterisk_cdr", str(path), "--timezone", "UTC")
    assert {kind for kind, _values in preview_rows(upload(staff, data, zone="UTC"))} == {"skip"}


def test_operators_cannot_import(client, operator):
    login_quietly(client, operator)
    assert client.get("/admin/cdr/cdr/import/").status_code == 302  # not staff: to the admin login


def test_changelist_offers_import_and_never_counts(staff, django_assert_max_num_queries):
    from tests.cdr.factories import CdrFactory

    CdrFactory.create_batch(3)
    with django_assert_max_num_queries(12) as queries:
        page = staff.get("/admin/cdr/cdr/")
    assert page.status_code == 200 and b"/admin/cdr/cdr/import/" in page.content
    assert not any("COUNT(*)" in query["sql"] and "cdr_cdr" in query["sql"] for query in queries.captured_queries)


EVERY_LAYOUT = mc.master(
    mc.L16, mc.L17_UNIQUEID, mc.L17_USERFIELD, mc.L18, mc.L19, mc.L20_UNIQUEID, mc.L20_USERFIELD, mc.L21,
    mc.L18_MULTILINE, mc.base(disposition="CONGESTION", amaflags="BILLING"),
)  # fmt: skip


def test_admin_import_stores_every_field_as_the_command_does(staff, tmp_path):
    from django.core.management import call_command

    AccountFactory(username="alice", extension="1001")
    AccountFactory(username="bob", extension="1002")
    path = tmp_path / "Master.csv"
    path.write_bytes(EVERY_LAYOUT)
    call_command("import_asterisk_cdr", str(path), "--timezone", "Europe/Rome", stdout=io.StringIO())
    by_command = [stored_fields(cdr) for cdr in Cdr.objects.order_by("uniqueid", "sequence")]
    Cdr.objects.all().delete()

    preview = upload(staff, EVERY_LAYOUT, zone="Europe/Rome")
    assert staff.post("/admin/cdr/cdr/process_import/", {**preview.context["confirm_form"].initial}).status_code == 302
    by_admin = [stored_fields(cdr) for cdr in Cdr.objects.order_by("uniqueid", "sequence")]
    assert len(by_admin) == 10
    assert by_admin == by_command


def test_admin_import_reports_the_lines_the_command_reports(staff, tmp_path):
    """Lines the database would refuse are broken lines with the command's reasons, not a failed import."""
    from tests.cdr.test_import_asterisk import BAD_BUT_CSV, run

    data = mc.master(mc.L21, *BAD_BUT_CSV, mc.L20_UNIQUEID)
    path = tmp_path / "Master.csv"
    path.write_bytes(data)
    _out, err = run(path, "--timezone", "UTC")
    Cdr.objects.all().delete()
    rows = preview_rows(upload(staff, data, zone="UTC"))
    assert [kind for kind, _values in rows] == ["new", *["skip"] * len(BAD_BUT_CSV), "new"]
    for _kind, values in rows[1:-1]:
        assert f"{path}:{values['line']}: {values['problem']}" in err
    # the same file again, read in another zone: the same calls, nothing new
    Cdr.objects.all().delete()
    preview = upload(staff, data, zone="UTC")
    staff.post("/admin/cdr/cdr/process_import/", {**preview.context["confirm_form"].initial})
    assert Cdr.objects.count() == 2
    assert {kind for kind, _values in preview_rows(upload(staff, data, zone="Europe/Rome"))} == {"skip"}

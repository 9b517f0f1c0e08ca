"""Issue 13, points 1 and 2: uploads are checked by their real type and size on every path, stored under random
names, served only through the file view to whoever may see their record (as a download, never rendered), and
import files are gone once the job has ended."""

import io
import re

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from guidance import services
from guidance.models import Risk
from inspections.models import RectificationEvidence
from programs import imports
from programs.models import ImportJob
from tests.factories import EnterpriseFactory, coordinator, enterprise_user, officer, region_tree
from tests.guidance.test_visit import held_visit
from tests.programs.test_imports import good_row, xlsx

pytestmark = pytest.mark.django_db


def image(kind: str, name: str) -> SimpleUploadedFile:
    content = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(content, format=kind)
    return SimpleUploadedFile(name, content.getvalue(), content_type=f"image/{kind.lower()}")


def pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("report.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n", content_type="application/pdf")


def refused_files():
    return {
        "evidence.html": SimpleUploadedFile("evidence.html", b"<html><script>alert(1)</script></html>", "text/html"),
        "photo.svg": SimpleUploadedFile(
            "photo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "image/svg+xml"
        ),
        "setup.exe as .jpg": SimpleUploadedFile("setup.jpg", b"MZ\x90\x00\x03" + b"\x00" * 200, "image/jpeg"),
    }


def open_risk():
    enterprise = EnterpriseFactory()
    booking, inspector = held_visit(enterprise)
    risk = services.risk_record(booking=booking, actor=inspector, description="灭火器过期")
    return enterprise, booking, inspector, risk


def link(booking, risk) -> str:
    return f"/guidance/manage/{services.booking_token(booking)}/risks/{risk.pk}/evidence/"


@pytest.mark.parametrize("which", ["evidence.html", "photo.svg", "setup.exe as .jpg"])
def test_a_file_that_is_not_a_photo_or_pdf_is_refused_through_the_signed_link_and_the_api(client, api_as, which):
    enterprise, booking, _inspector, risk = open_risk()
    answer = client.post(link(booking, risk), {"evidence_note": "x", "evidence_file": refused_files()[which]})
    assert answer.status_code == 400
    assert answer.context["evidence_errors"][risk.pk].errors["evidence_file"]
    api = api_as(enterprise_user(enterprise)).post(
        f"/api/v1/guidance/risks/{risk.pk}/evidence/", {"note": "x", "file": refused_files()[which]}, format="multipart"
    )
    assert api.status_code == 400
    assert api.json()["error"]["code"] == "file_type" and "file" in api.json()["error"]["fields"]
    refused = Risk.objects.get(pk=risk.pk)
    assert (refused.status, refused.evidence_file.name) == ("open", "")


def test_an_inspection_evidence_that_is_not_a_photo_or_pdf_is_refused_through_the_api(cast, api_as):
    finding = cast.objects["finding"]
    owner = enterprise_user(finding.enterprise)
    for which, upload in refused_files().items():
        answer = api_as(owner).post(
            f"/api/v1/findings/{finding.pk}/evidence/", {"note": "x", "file": upload}, format="multipart"
        )
        assert answer.status_code == 400, which
        assert answer.json()["error"]["code"] == "file_type" and "file" in answer.json()["error"]["fields"]
    assert not RectificationEvidence.objects.filter(finding=finding).exists()


def test_a_file_over_the_limit_is_refused_through_the_signed_link_and_the_api(client, api_as, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    enterprise, booking, _inspector, risk = open_risk()
    big = b"\xff\xd8\xff\xe0" + b"\x00" * 2048
    answer = client.post(
        link(booking, risk), {"evidence_note": "x", "evidence_file": SimpleUploadedFile("big.jpg", big, "image/jpeg")}
    )
    assert answer.status_code == 400
    assert answer.context["evidence_errors"][risk.pk].has_error("evidence_file", code="file_too_large")
    api = api_as(enterprise_user(enterprise)).post(
        f"/api/v1/guidance/risks/{risk.pk}/evidence/",
        {"note": "x", "file": SimpleUploadedFile("big.jpg", big, "image/jpeg")},
        format="multipart",
    )
    assert api.status_code == 400
    assert api.json()["error"]["code"] == "file_too_large" and "file" in api.json()["error"]["fields"]


@pytest.mark.parametrize("upload", [lambda: image("JPEG", "a.jpg"), lambda: image("PNG", "a.png"), pdf])
def test_a_real_jpeg_png_or_pdf_is_accepted_and_stored_under_a_random_name(client, upload):
    _enterprise, booking, _inspector, risk = open_risk()
    sent = client.post(link(booking, risk), {"evidence_note": "已整改", "evidence_file": upload()})
    assert sent.status_code == 302
    stored = Risk.objects.get(pk=risk.pk).evidence_file.name
    assert re.fullmatch(r"guidance/evidence/[0-9a-f]{32}\.(jpg|png|pdf)", stored)


def test_a_file_named_jpg_is_stored_with_the_extension_of_what_it_really_is(client):
    _enterprise, booking, _inspector, risk = open_risk()
    disguised = SimpleUploadedFile("photo.jpg", pdf().read(), "image/jpeg")
    client.post(link(booking, risk), {"evidence_note": "已整改", "evidence_file": disguised})
    assert Risk.objects.get(pk=risk.pk).evidence_file.name.endswith(".pdf")


def test_uploads_are_never_served_from_media_and_only_to_who_may_see_the_record(client):
    enterprise, booking, inspector, risk = open_risk()
    client.post(link(booking, risk), {"evidence_note": "已整改", "evidence_file": image("PNG", "a.png")})
    risk.refresh_from_db()
    assert client.get(f"/media/{risk.evidence_file.name}").status_code == 404
    url = f"/files/guidance.risk/{risk.pk}/"
    assert client.get(url).status_code == 404  # anonymous
    outsiders = [enterprise_user(EnterpriseFactory()), officer()]
    for outsider in outsiders:
        client.force_login(outsider)
        assert client.get(url).status_code == 404, outsider
    for insider in (inspector, enterprise_user(enterprise)):
        client.force_login(insider)
        answer = client.get(url)
        assert answer.status_code == 200
        assert answer["Content-Disposition"].startswith("attachment;")
        assert answer["X-Content-Type-Options"] == "nosniff"
        assert answer["Content-Security-Policy"] == "sandbox"
        assert answer["Content-Type"] == "application/octet-stream"
        assert b"".join(answer.streaming_content) == risk.evidence_file.open("rb").read()


def test_staff_open_evidence_from_the_admin_through_the_file_view(client, settings):
    settings.DEBUG = False
    _enterprise, booking, _inspector, risk = open_risk()
    client.post(link(booking, risk), {"evidence_note": "已整改", "evidence_file": pdf()})
    client.force_login(coordinator())
    page = client.get(f"/admin/guidance/risk/{risk.pk}/change/")
    assert page.status_code == 200
    assert f'href="/files/guidance.risk/{risk.pk}/"' in page.text and "/media/" not in page.text
    assert client.get(f"/files/guidance.risk/{risk.pk}/").status_code == 200


def test_an_import_file_is_a_real_spreadsheet_and_is_gone_once_the_job_ends():
    village = region_tree()["village"]
    user = coordinator()
    with pytest.raises(imports.ValidationError) as refused:
        imports.import_job_create(
            kind="enterprises", uploaded=SimpleUploadedFile("e.xlsx", b"MZ\x90\x00" + b"\x00" * 64), actor=user
        )
    assert refused.value.error_dict["file"][0].code == "file_type"
    job = imports.import_job_create(kind="enterprises", uploaded=xlsx([good_row(village, 1)]), actor=user)
    stored = job.file.name
    assert re.fullmatch(r"imports/[0-9a-f]{32}\.xlsx", stored) and default_storage.exists(stored)
    job = imports.import_job_confirm(job=job, actor=user)
    assert job.status == "done"
    assert not default_storage.exists(stored) and not ImportJob.objects.get(pk=job.pk).file

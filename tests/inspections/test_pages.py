"""The public code check, the officer's code screen and the enterprise area."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from inspections import services
from inspections.models import Finding, Inspection, RectificationEvidence
from tests.factories import EnterpriseFactory, enterprise_user

from .factories import InspectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(cast):
    cast.enterprise.contact_phone = "13912345678"
    cast.enterprise.contact_name = "潘经理"
    cast.enterprise.save()
    return cast


def test_a_valid_code_shows_enterprise_departments_and_date_but_no_findings_or_people(cast, client):
    inspection = InspectionFactory(cast=cast)
    services.finding_record(
        inspection=inspection,
        item=inspection.items.first(),
        severity=Finding.Severity.MAJOR,
        description="SECRET-FINDING-TEXT",
        deadline=timezone.localdate() + timedelta(days=3),
        actor=cast.market_officer,
    )
    page = client.get(f"/verify/{inspection.code}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert cast.enterprise.name in html and cast.market.name in html
    for secret in (
        "SECRET-FINDING-TEXT",
        "13912345678",
        "潘经理",
        cast.market_officer.username,
        cast.enterprise.credit_code,
    ):
        assert secret not in html
    assert "badge green" in html


def test_a_code_typed_with_dashes_and_lowercase_is_found(cast, client):
    inspection = InspectionFactory(cast=cast)
    typed = services.format_code(inspection.code).lower()
    answer = client.get("/verify/", {"code": typed})
    assert answer.status_code == 302 and answer["Location"].endswith(f"/verify/{inspection.code}/")


def test_a_wrong_code_gets_a_clear_page(cast, client):
    page = client.get("/verify/ABCDEFGHJKMNPQRSTUVW/")
    assert page.status_code == 200
    assert "badge red" in page.content.decode()
    malformed = client.get("/verify/", {"code": "123"})
    assert malformed.status_code == 200
    assert "errorlist" in malformed.content.decode()


def test_a_cancelled_or_past_week_code_is_not_valid(cast, client):
    inspection = InspectionFactory(cast=cast)
    Inspection.objects.filter(pk=inspection.pk).update(status=Inspection.Status.CANCELLED)
    assert "badge red" in client.get(f"/verify/{inspection.code}/").content.decode()
    Inspection.objects.filter(pk=inspection.pk).update(
        status=Inspection.Status.SCHEDULED, week_start=timezone.localdate() - timedelta(days=14)
    )
    assert "badge yellow" in client.get(f"/verify/{inspection.code}/").content.decode()


def test_the_verify_page_is_rate_limited(cast, client, own_cache, monkeypatch):
    # A cache of its own, and one instant: no other process clears the counter, no window ends mid-test.
    monkeypatch.setattr("django_ratelimit.core.time.time", lambda: 1_800_000_000.0)
    for _ in range(20):
        client.get("/verify/ABCDEFGHJKMNPQRSTUVW/")
    assert client.get("/verify/ABCDEFGHJKMNPQRSTUVW/").status_code == 429


def test_the_officer_screen_shows_the_code_as_a_qr_and_text(cast, client):
    inspection = InspectionFactory(cast=cast)
    client.force_login(cast.market_officer)
    page = client.get(f"/inspections/{inspection.pk}/code/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and services.format_code(inspection.code) in html
    client.force_login(cast.fire_officer)
    assert client.get(f"/inspections/{inspection.pk}/code/").status_code == 404


def test_the_enterprise_area_lists_own_findings_and_accepts_evidence_once(cast, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    inspection = InspectionFactory(cast=cast)
    finding = services.finding_record(
        inspection=inspection,
        item=inspection.items.first(),
        severity=Finding.Severity.GENERAL,
        description="电梯应急电话不畅通",
        deadline=timezone.localdate() + timedelta(days=3),
        actor=cast.market_officer,
    )
    other = InspectionFactory(cast=cast, enterprise=EnterpriseFactory(region=cast.enterprise.region))
    theirs = services.finding_record(
        inspection=other,
        item=other.items.first(),
        severity=Finding.Severity.GENERAL,
        description="OTHER-ENTERPRISE-FINDING",
        deadline=timezone.localdate() + timedelta(days=3),
        actor=cast.market_officer,
    )
    client.force_login(enterprise_user(cast.enterprise))
    home = client.get("/inspections/mine/").content.decode()
    assert "电梯应急电话不畅通" in home and "OTHER-ENTERPRISE-FINDING" not in home
    assert client.get(f"/inspections/mine/findings/{theirs.pk}/evidence/").status_code == 404

    empty = client.post(f"/inspections/mine/findings/{finding.pk}/evidence/", {"note": "", "submission_key": "k1"})
    assert empty.status_code == 200 and "errorlist" in empty.content.decode()
    photo = SimpleUploadedFile("p.jpg", b"\xff\xd8\xff\xe0", "image/jpeg")
    form = {"note": "已修复", "submission_key": "k1", "file": photo}
    assert client.post(f"/inspections/mine/findings/{finding.pk}/evidence/", form).status_code == 302
    form["file"] = SimpleUploadedFile("p.jpg", b"\xff\xd8\xff\xe0", "image/jpeg")
    assert client.post(f"/inspections/mine/findings/{finding.pk}/evidence/", form).status_code == 302
    assert RectificationEvidence.objects.filter(finding=finding).count() == 1


def test_staff_cannot_use_the_enterprise_area(cast, client):
    client.force_login(cast.market_officer)
    assert client.get("/inspections/mine/").status_code == 403


def test_organisers_and_grid_workers_do_not_open_the_code_screen(cast, client):
    from programs.models import User
    from tests.factories import UserFactory

    inspection = InspectionFactory(cast=cast)
    for role in (User.Role.ORGANISER, User.Role.GRID_WORKER):
        client.force_login(UserFactory(role=role))
        assert client.get(f"/inspections/{inspection.pk}/code/").status_code == 403
    client.force_login(cast.coordinator)
    assert client.get(f"/inspections/{inspection.pk}/code/").status_code == 200


def test_an_enterprise_user_opens_only_its_own_code_screen(cast, client):
    mine = InspectionFactory(cast=cast)
    theirs = InspectionFactory(cast=cast, enterprise=EnterpriseFactory(region=cast.enterprise.region))
    client.force_login(enterprise_user(cast.enterprise))
    assert client.get(f"/inspections/{mine.pk}/code/").status_code == 200
    assert client.get(f"/inspections/{theirs.pk}/code/").status_code == 404

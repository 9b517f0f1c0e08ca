"""The officers' field area (/field/): the week, a visit with everything the phone needs offline, the
re-inspections due, the service worker and the manifest; and the write path the phone uses (session, CSRF
header, Idempotency-Key, a multipart body built once and replayed byte for byte)."""

import json
import re
from datetime import timedelta
from io import BytesIO

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.utils import timezone
from PIL import Image

from inspections import services
from inspections.field.selectors import week_start
from inspections.models import Finding, FindingPhoto, Inspection, ItemCheck, LenientListEntry
from programs.models import AuditEntry
from tests.cast import Cast
from tests.factories import officer
from tests.inspections.factories import ItemFactory, PlanEntryFactory

pytestmark = pytest.mark.django_db


def this_week_visit(cast: Cast, *, joint: bool = False, lenient: bool = False) -> Inspection:
    """A visit of the cast's market officer scheduled for today in this week: two market items (the second on
    the first-violation list if ``lenient``); with ``joint``, the fire department too, with a simple item (which
    the market officer answers on its behalf) and one that only fire answers."""
    today = timezone.localdate()
    month = today.replace(day=1)
    items = [
        ItemFactory(department=cast.market, name="合同条款表述是否规范", code="MKT-F-01"),
        ItemFactory(department=cast.market, name="明码标价", code="MKT-F-03", simple=True),
    ]
    if lenient:
        LenientListEntry.objects.create(item=items[1], kind=LenientListEntry.Kind.FIRST_VIOLATION)
    PlanEntryFactory(
        department=cast.market, enterprise=cast.enterprise, items=items, month=month, actor=cast.market_officer
    )
    if joint:
        fire_items = [
            ItemFactory(department=cast.fire, name="消防通道是否畅通", code="FIRE-F-01", simple=True),
            ItemFactory(department=cast.fire, name="自动消防设施运行情况", code="FIRE-F-03", simple=False),
        ]
        PlanEntryFactory(
            department=cast.fire, enterprise=cast.enterprise, items=fire_items, month=month, actor=cast.fire_officer
        )
    services.month_coordinate(region=cast.enterprise.region, month=month, actor=cast.coordinator)
    inspection = Inspection.objects.get(enterprise=cast.enterprise, month=month)
    inspection = services.inspection_schedule(
        inspection=inspection,
        week_start=week_start(today),
        visit_date=today,
        officers=[cast.market_officer],
        actor=cast.coordinator,
    )
    # Planned and scheduled earlier in the day: a code shown on the phone an hour ago is after that.
    earlier = timezone.now() - timedelta(hours=3)
    Inspection.objects.filter(pk=inspection.pk).update(created_at=earlier)
    AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Inspection), object_id=inspection.pk
    ).update(created_at=earlier)
    inspection.refresh_from_db()
    return inspection


def jpeg(colour=(200, 30, 30)) -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, "JPEG")
    return buffer.getvalue()


def test_an_officer_lands_on_the_field_area_after_signing_in(client):
    cast = Cast()
    page = client.post(
        "/accounts/login/", {"username": cast.market_officer.username, "password": settings.DEMO_PASSWORD}
    )
    assert page.status_code == 302
    assert page["Location"] == "/field/"


def test_the_week_shows_each_visit_by_day_with_what_the_officer_needs(client):
    cast = Cast()
    inspection = this_week_visit(cast, joint=True)
    earlier = services.inspection_start(inspection=inspection, actor=cast.market_officer)
    services.finding_record(
        inspection=earlier,
        item=earlier.items.get(code="MKT-F-01"),
        severity=Finding.Severity.GENERAL,
        description="合同条款不清",
        deadline=timezone.localdate() + timedelta(days=10),
        actor=cast.market_officer,
    )
    client.force_login(cast.market_officer)
    page = client.get("/field/")
    assert page.status_code == 200
    text = page.text
    today = timezone.localdate()
    day = re.search(rf'id="day-{today.isoformat()}".*?</section>', text, re.S).group(0)
    assert cast.enterprise.name in day
    assert cast.enterprise.address in day
    assert "明码标价" in day and "自动消防设施运行情况" in day
    assert cast.fire.name in day  # the other department
    assert "合同条款不清" in day  # the open finding to re-inspect
    assert 'class="badge yellow"' in day
    assert f"/field/visits/{inspection.pk}/" in text
    assert "/field/reinspections/" in text
    assert "/inspections/week/" in text


def test_the_week_asks_the_phone_to_keep_every_visit_of_the_week(client):
    cast = Cast()
    inspection = this_week_visit(cast)
    client.force_login(cast.market_officer)
    page = client.get("/field/")
    urls = re.search(r'id="offline-status"[^>]*data-urls="([^"]*)"', page.text).group(1).split()
    assert urls == ["/field/", "/field/reinspections/", f"/field/visits/{inspection.pk}/"]


def test_a_visit_of_an_earlier_week_shows_while_under_way_and_the_phone_keeps_it(client):
    cast = Cast()
    inspection = this_week_visit(cast)
    last_week = week_start() - timedelta(days=7)
    Inspection.objects.filter(pk=inspection.pk).update(week_start=last_week, visit_date=last_week)
    client.force_login(cast.market_officer)
    scheduled = client.get("/field/").text  # scheduled last week, never started: not this week's work
    assert cast.enterprise.name not in scheduled
    assert f"/field/visits/{inspection.pk}/" not in scheduled
    services.inspection_start(inspection=Inspection.objects.get(pk=inspection.pk), actor=cast.market_officer)
    page = client.get("/field/").text
    earlier = re.search(r"<h2>[^<]*</h2>\s*<ul class=\"visits\">.*?</ul>\s*</section>", page, re.S).group(0)
    assert "前几周尚未完成的检查" in earlier  # "Still under way from earlier weeks"
    assert cast.enterprise.name in earlier
    days = re.findall(r'<section class="day[^"]*" id="day-.*?</section>', page, re.S)
    assert len(days) == 7 and all(cast.enterprise.name not in day for day in days)
    urls = re.search(r'id="offline-status"[^>]*data-urls="([^"]*)"', page).group(1).split()
    assert urls == ["/field/", "/field/reinspections/", f"/field/visits/{inspection.pk}/"]


def test_another_officers_visits_are_not_in_the_week(client):
    cast = Cast()
    this_week_visit(cast)
    client.force_login(officer(cast.market))
    page = client.get("/field/")
    assert cast.enterprise.name not in page.text


@pytest.mark.parametrize("role", ["coordinator", "enterprise_user"])
def test_the_field_area_is_for_officers(client, role):
    cast = Cast()
    client.force_login(getattr(cast, role))
    assert client.get("/field/").status_code == 403
    assert client.get("/field/reinspections/").status_code == 403


def test_a_visit_page_has_the_code_the_checklist_and_the_lenient_proposal(client):
    cast = Cast()
    inspection = this_week_visit(cast, joint=True, lenient=True)
    client.force_login(cast.market_officer)
    page = client.get(f"/field/visits/{inspection.pk}/")
    assert page.status_code == 200
    text = page.text
    assert "<svg" in text and 'viewBox="' in text
    assert services.format_code(inspection.code) in text
    for item in inspection.items.all():
        fieldset = re.search(rf'<fieldset[^>]*data-item="{item.pk}".*?</fieldset>', text, re.S).group(0)
        answerable = item.department_id == cast.market.pk or item.simple
        assert ('value="not_checked"' in fieldset) == answerable, item.name
        assert ("代检查" in fieldset) == (item.department_id == cast.fire.pk and item.simple), item.name
    assert "首违不罚" in text
    assert 'capture="environment"' in text and 'accept="image/*"' in text
    state = json.loads(re.search(r'id="visit-state"[^>]*>(.*?)</script>', text, re.S).group(1))
    assert state["visit_record_url"] == f"/api/v1/inspections/{inspection.pk}/visit-record/"
    assert {i["id"] for i in state["items"] if not i["answerable"]} == {inspection.items.get(code="FIRE-F-03").pk}


def test_no_lenient_proposal_after_an_earlier_violation(client):
    cast = Cast()
    inspection = this_week_visit(cast, lenient=True)
    Finding.objects.create(
        inspection=inspection,
        enterprise=cast.enterprise,
        item=inspection.items.get(code="MKT-F-03"),
        severity=Finding.Severity.GENERAL,
        description="earlier",
        deadline=timezone.localdate(),
        recorded_by=cast.market_officer,
        recorded_at=timezone.now() - timedelta(days=30),
        status=Finding.Status.RECTIFIED,
    )
    client.force_login(cast.market_officer)
    page = client.get(f"/field/visits/{inspection.pk}/")
    assert "首违不罚" not in page.text


def test_another_departments_visit_is_not_found(client):
    cast = Cast()
    inspection = this_week_visit(cast)
    client.force_login(cast.fire_officer)
    assert client.get(f"/field/visits/{inspection.pk}/").status_code == 404


def _multipart(boundary: str, fields: dict, files: dict) -> bytes:
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    for name, content in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{name}.jpg"\r\n'
            "Content-Type: image/jpeg\r\n\r\n"
        )
        parts.append(head.encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts)


def test_the_phones_completion_replayed_with_its_key_records_the_visit_once(django_capture_on_commit_callbacks):
    """What visit.js sends: a multipart body built once with its own boundary, the CSRF header from the page
    and an Idempotency-Key; sent again (the answer was lost in a dead spot), the same bytes get the first
    answer and nothing is recorded twice."""
    cast = Cast()
    inspection = this_week_visit(cast)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(cast.market_officer)
    page = browser.get(f"/field/visits/{inspection.pk}/")
    token = re.search(r'name="csrf-token" content="([^"]+)"', page.text).group(1)
    contract, price = inspection.items.get(code="MKT-F-01"), inspection.items.get(code="MKT-F-03")
    shown_at = timezone.now() - timedelta(minutes=40)
    deadline = (timezone.localdate() + timedelta(days=15)).isoformat()
    fields = {
        "answers": json.dumps(
            [{"item": contract.pk, "result": "compliant"}, {"item": price.pk, "result": "non_compliant"}]
        ),
        "findings": json.dumps(
            [
                {
                    "item": price.pk,
                    "severity": "general",
                    "description": "未明码标价",
                    "deadline": deadline,
                    "photos": ["photo-0-0"],
                }
            ]
        ),
        "summary": "一般问题一项",
        "code_shown_at": shown_at.isoformat(),
    }
    body = _multipart("----fieldtest", fields, {"photo-0-0": jpeg()})
    headers = {"X-CSRFToken": token, "Idempotency-Key": "visit-1"}
    url = f"/api/v1/inspections/{inspection.pk}/visit-record/"
    with django_capture_on_commit_callbacks(execute=True):
        first = browser.generic(
            "POST", url, body, content_type="multipart/form-data; boundary=----fieldtest", headers=headers
        )
    assert first.status_code == 200, first.content
    again = browser.generic(
        "POST", url, body, content_type="multipart/form-data; boundary=----fieldtest", headers=headers
    )
    assert again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.COMPLETED
    assert abs(inspection.code_shown_at - shown_at) < timedelta(seconds=1)
    assert Finding.objects.filter(inspection=inspection).count() == 1
    assert FindingPhoto.objects.filter(finding__inspection=inspection).count() == 1
    assert ItemCheck.objects.get(inspection=inspection, item=contract).result == ItemCheck.Result.COMPLIANT

    page = browser.get(f"/field/visits/{inspection.pk}/")
    assert 'id="visit-form"' not in page.text
    assert f"/inspections/{inspection.pk}/documents/inspection_record/" in page.text


def test_a_cancelled_visit_says_so_and_has_no_form(client):
    cast = Cast()
    inspection = this_week_visit(cast)
    services.inspection_cancel(inspection=inspection, actor=cast.coordinator, reason="企业停业")
    client.force_login(cast.market_officer)
    page = client.get(f"/field/visits/{inspection.pk}/")
    assert "企业停业" in page.text
    assert 'id="visit-form"' not in page.text


def _finding(inspection, cast, *, days: int, description: str) -> Finding:
    return services.finding_record(
        inspection=inspection,
        item=inspection.items.get(code="MKT-F-01"),
        severity=Finding.Severity.GENERAL,
        description=description,
        deadline=timezone.localdate() + timedelta(days=days),
        actor=cast.market_officer,
    )


def test_the_reinspections_due_are_those_with_evidence_or_a_near_deadline(client):
    cast = Cast()
    inspection = services.inspection_start(inspection=this_week_visit(cast), actor=cast.market_officer)
    near = _finding(inspection, cast, days=2, description="期限将至的问题")
    far = _finding(inspection, cast, days=30, description="期限尚远的问题")
    with_evidence = _finding(inspection, cast, days=30, description="已提交整改材料的问题")
    services.evidence_submit(finding=with_evidence, actor=cast.enterprise_user, note="已整改完毕")
    client.force_login(cast.market_officer)
    page = client.get("/field/reinspections/")
    text = page.text
    assert near.description in text and with_evidence.description in text
    assert far.description not in text
    assert "已整改完毕" in text
    assert text.index(with_evidence.description) < text.index(near.description)  # evidence first
    assert f"/api/v1/findings/{near.pk}/reinspect/" in text

    client.force_login(cast.fire_officer)
    assert near.description not in client.get("/field/reinspections/").text


def test_the_service_worker_is_served_under_the_field_area_with_the_files_it_keeps(client):
    answer = client.get("/field/sw.js")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/javascript")
    assert answer["Service-Worker-Allowed"] == "/field/"
    config = json.loads(re.match(r"self\.FIELD = (.*?);\n", answer.text).group(1))
    assert "/static/inspections/field/field.js" in config["assets"]
    assert "/field/offline/" in config["assets"]
    assert config["scope"] == "/field/"


def test_the_manifest_installs_the_field_area_as_an_app(client):
    answer = client.get("/field/manifest.webmanifest")
    data = json.loads(answer.content)
    assert answer["Content-Type"] == "application/manifest+json"
    assert data["start_url"] == "/field/" and data["scope"] == "/field/"
    assert data["display"] == "standalone"
    assert data["icons"][0]["type"] == "image/svg+xml"

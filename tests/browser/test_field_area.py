"""The officer's field area in a real browser, on a 390 × 844 phone in zh-hans, as the demo's officer
(鄞州区市场监督管理局): this week's visit, the code shown, the checklist, a finding with a photo, completion and
the PDF record; the same visit with the phone offline after the week was loaded; a re-inspection that turns a
yellow enterprise green; and the pages on a desktop.

The documents are issued by the Celery task ``inspections.visit_documents_issue``, enqueued on commit; these
tests run tasks eagerly (tests/conftest.py ``_isolated_side_effects``: no ``worker`` mark), so the task runs
in the live server's thread right after the completion commits, through the same code a worker runs."""

from datetime import timedelta
from io import BytesIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from inspections import services
from inspections.field.selectors import week_start
from inspections.models import Finding, FindingPhoto, Inspection, InspectionItem, ItemCheck, LenientListEntry
from programs import demo
from programs.models import Department, Enterprise, Grade, Region, User
from tests.browser.conftest import screenshot, sign_in
from tests.pdf import pdf_text

pytestmark = pytest.mark.django_db(transaction=True)

PHONE_WIDTH = 390


def _item(code, name, department, *, simple, lenient=None):
    item = InspectionItem.objects.create(
        code=code, name=name, department=department, field="市场监管", simple=simple, legal_basis="《消费者权益保护法》"
    )
    if lenient:
        LenientListEntry.objects.create(item=item, kind=lenient)
    return item


def demo_visit() -> Inspection:
    """The demo (programs.demo: regions, departments, enterprises, users) and, for its officer, a visit today
    to an enterprise of 潘火街道: two market items (明码标价 on the first-violation list) and the fire
    department's simple item, which the market officer checks on its behalf."""
    demo.seed()
    officer = User.objects.get(username="officer")
    county = Region.objects.get(code="330212000000")
    market = officer.department
    fire = Department.objects.get(region=county, kind=Department.Kind.FIRE_RESCUE)
    enterprise = Enterprise.objects.filter(region__code__startswith="330212001").order_by("id").first()
    today = timezone.localdate()
    month = today.replace(day=1)
    market_items = [
        _item("NB-330212-MKT-01", "合同条款表述是否规范", market, simple=False),
        _item("NB-330212-MKT-03", "明码标价", market, simple=True, lenient=LenientListEntry.Kind.FIRST_VIOLATION),
    ]
    fire_items = [_item("NB-330212-FIRE-01", "消防通道是否畅通", fire, simple=True)]
    fire_officer = User.objects.create_user(
        username="officer_fire", role=User.Role.OFFICER, department=fire, region=county
    )
    for author, items in ((officer, market_items), (fire_officer, fire_items)):
        entry = services.plan_entry_create(
            department=author.department, enterprise=enterprise, items=items, month=month, actor=author
        )
        services.plan_entry_submit(entry=entry, actor=author)
    coordinator = User.objects.get(username="coordinator")
    services.month_coordinate(region=county, month=month, actor=coordinator)
    inspection = Inspection.objects.get(enterprise=enterprise, month=month)
    return services.inspection_schedule(
        inspection=inspection, week_start=week_start(today), visit_date=today, officers=[officer], actor=coordinator
    )


def photo(tmp_path):
    path = tmp_path / "现场照片.jpg"
    image = Image.new("RGB", (320, 240), (180, 40, 40))
    image.save(path, "JPEG")
    return path


def _answer(page, item: InspectionItem, result: str) -> None:
    page.click(f'fieldset[data-item="{item.pk}"] label.choice-{result}')


def _week_kept_then_recorded_offline(page, tmp_path) -> Inspection:
    """The demo's officer signs in, the phone keeps the week, the connection drops, and the visit is recorded:
    two actions wait in the outbox (the code shown, the completion). The browser stays offline."""
    inspection = demo_visit()
    sign_in(page, "officer", settings.DEMO_PASSWORD, path="/accounts/login/")
    page.wait_for_url("**/field/")
    page.wait_for_selector("#offline-status[data-offline-ready=true]")
    page.context.set_offline(True)
    _open_visit_and_record(page, inspection, tmp_path)
    page.wait_for_selector("#outbox[data-pending='2']")
    return inspection


def _open_visit_and_record(page, inspection: Inspection, tmp_path) -> None:
    """From the week: the visit, the code shown, the checklist (refused while an item is unanswered), a finding
    with a photo, completion."""
    page.click(f'a[href="/field/visits/{inspection.pk}/"]')
    page.wait_for_selector("#visit-form[data-ready=true]")
    page.click("#show-code")
    qr = page.locator("#code-screen .qr svg").bounding_box()
    assert qr["x"] >= 0 and qr["x"] + qr["width"] <= PHONE_WIDTH
    assert page.locator("#code-text").inner_text() == services.format_code(inspection.code)
    screenshot(page, "field-phone-code")
    page.click("#close-code")

    contract = inspection.items.get(code="NB-330212-MKT-01")
    price = inspection.items.get(code="NB-330212-MKT-03")
    passage = inspection.items.get(code="NB-330212-FIRE-01")
    assert "代检查" in page.locator(f'fieldset[data-item="{passage.pk}"] legend').inner_text()
    _answer(page, contract, "compliant")
    _answer(page, passage, "compliant")
    page.click("#complete")
    refusal = page.locator("#complete-errors").inner_text()
    assert "未回答" in refusal and "明码标价" in refusal and "合同条款" not in refusal

    _answer(page, price, "non_compliant")
    finding = page.locator(f"#finding-{price.pk}")
    assert "首违不罚" in finding.locator(".lenient").inner_text()
    finding.locator("textarea").fill("商品未明码标价")
    finding.locator("input[type=file]").set_input_files(str(photo(tmp_path)))
    finding.locator(".thumbs img").wait_for()
    page.fill("#summary", "发现一般问题一项，已当场告知整改。")
    screenshot(page, "field-phone-visit")
    page.click("#complete")


def test_an_officer_records_a_visit_on_a_phone_and_downloads_the_record(phone_page, tmp_path):
    page = phone_page
    inspection = demo_visit()
    sign_in(page, "officer", settings.DEMO_PASSWORD, path="/accounts/login/")
    page.wait_for_url("**/field/")
    assert inspection.enterprise.name in page.locator(f"#day-{timezone.localdate().isoformat()}").inner_text()
    screenshot(page, "field-phone-week")

    _open_visit_and_record(page, inspection, tmp_path)
    page.wait_for_selector("#record")
    page.wait_for_selector("#documents a")
    screenshot(page, "field-phone-completed")

    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.COMPLETED
    assert inspection.code_shown_at is not None
    [finding] = Finding.objects.filter(inspection=inspection)
    assert finding.description == "商品未明码标价" and finding.lenient_proposed
    assert FindingPhoto.objects.filter(finding=finding).count() == 1
    delegated = ItemCheck.objects.get(inspection=inspection, item__code="NB-330212-FIRE-01")
    assert delegated.on_behalf_of.kind == Department.Kind.FIRE_RESCUE

    with page.expect_download() as download:
        page.click('#documents a[href$="/inspection_record/"]')
    pdf = download.value.path().read_bytes()
    text = pdf_text(pdf)
    assert inspection.enterprise.name in text
    assert services.format_code(inspection.code) in text
    again = page.request.get(f"/inspections/{inspection.pk}/documents/inspection_record/")
    assert again.body() == pdf


def test_a_visit_recorded_offline_reaches_the_server_once_when_the_connection_is_back(phone_page, tmp_path):
    page = phone_page
    inspection = demo_visit()
    sign_in(page, "officer", settings.DEMO_PASSWORD, path="/accounts/login/")
    page.wait_for_url("**/field/")
    page.wait_for_selector("#offline-status[data-offline-ready=true]")

    page.context.set_offline(True)
    before_shown = timezone.now()
    _open_visit_and_record(page, inspection, tmp_path)
    after_shown = timezone.now()
    page.wait_for_selector("#outbox[data-pending='2']")
    assert "待发送 2 项" in page.locator("#outbox-count").inner_text()
    screenshot(page, "field-phone-offline-pending")
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.SCHEDULED
    assert inspection.code_shown_at is None

    # Still offline, the week comes from the phone, and the queue is still there.
    kept = page.goto("/field/")
    assert kept.from_service_worker
    page.wait_for_selector("#outbox[data-pending='2']")

    page.context.set_offline(False)
    page.wait_for_selector("#outbox[data-pending='0']", state="attached")
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.COMPLETED
    assert Finding.objects.filter(inspection=inspection).count() == 1
    assert FindingPhoto.objects.filter(finding__inspection=inspection).count() == 1
    assert before_shown - timedelta(seconds=1) <= inspection.code_shown_at <= after_shown
    assert inspection.code_shown_at < inspection.completed_at


def test_the_connection_back_while_a_round_still_fails_sends_the_queue_without_a_press(phone_page, tmp_path):
    """On an island the signal comes and goes: the phone's "online" may arrive while a round of sending is still
    failing. That round stops at its failure; the "online" must start another, or the queue waits."""
    page = phone_page
    inspection = _week_kept_then_recorded_offline(page, tmp_path)
    page.context.set_offline(False)

    # The first send hangs on a bad connection and then drops; the connection comes back meanwhile.
    held = []

    def first_send_drops(route):
        if held:
            route.continue_()
            return
        held.append(route.request.url)
        page.evaluate("window.dispatchEvent(new Event('online'))")
        route.abort("internetdisconnected")

    page.route("**/api/v1/inspections/**", first_send_drops)
    page.evaluate("window.Field.flush()")
    page.wait_for_selector("#outbox[data-pending='0']", state="attached")
    assert len(held) == 1
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.COMPLETED
    assert Finding.objects.filter(inspection=inspection).count() == 1


def test_a_visit_cancelled_while_the_phone_was_offline_is_shown_as_a_conflict(phone_page, tmp_path):
    page = phone_page
    inspection = _week_kept_then_recorded_offline(page, tmp_path)
    services.inspection_cancel(
        inspection=inspection, actor=User.objects.get(username="coordinator"), reason="企业已停业"
    )

    page.context.set_offline(False)
    conflict = page.locator("#outbox li.conflict[data-action=visit-record]")
    conflict.wait_for()
    assert "企业已停业" in conflict.inner_text()
    assert "企业已停业" in page.locator("#complete-errors").inner_text()
    assert page.locator("#complete").is_disabled()
    screenshot(page, "field-phone-conflict")
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.CANCELLED
    assert not Finding.objects.filter(inspection=inspection).exists()


def test_a_reinspection_turns_a_yellow_enterprise_green(phone_page):
    page = phone_page
    inspection = demo_visit()
    officer = User.objects.get(username="officer")
    price = inspection.items.get(code="NB-330212-MKT-03")
    services.visit_record(
        inspection=inspection,
        actor=officer,
        answers=[
            {"item": item.pk, "result": ItemCheck.Result.COMPLIANT} for item in inspection.items.exclude(pk=price.pk)
        ],
        findings=[
            {
                "item": price.pk,
                "severity": Finding.Severity.GENERAL,
                "description": "商品未明码标价",
                "deadline": timezone.localdate() + timedelta(days=15),
                "photos": [],
            }
        ],
        code_shown_at=timezone.now(),
    )
    enterprise = Enterprise.objects.get(pk=inspection.enterprise_id)
    assert enterprise.grade == Grade.YELLOW
    finding = Finding.objects.get(inspection=inspection)
    shop = User.objects.get(username="enterprise")
    buffer = BytesIO()
    Image.new("RGB", (64, 48), (20, 160, 60)).save(buffer, "JPEG")
    services.evidence_submit(
        finding=finding,
        actor=shop,
        note="已补齐全部商品价签",
        file=SimpleUploadedFile("价签.jpg", buffer.getvalue(), content_type="image/jpeg"),
    )

    sign_in(page, "officer", settings.DEMO_PASSWORD, path="/accounts/login/")
    page.wait_for_url("**/field/")
    page.click('a[href="/field/reinspections/"] >> nth=0')
    card = page.locator(f"#finding-{finding.pk}")
    assert "已补齐全部商品价签" in card.inner_text()
    evidence_link = card.locator('a[href^="/files/inspections.evidence/"]')
    assert evidence_link.count() == 1
    # The officer opens the enterprise's photo: served through the scoped file view, as the stored bytes.
    with page.expect_download() as opened:
        evidence_link.click()
    assert Path(opened.value.path()).read_bytes() == buffer.getvalue()
    assert "黄" in card.locator("[data-grade]").inner_text()
    card.locator("textarea").fill("现场复查，价签齐全")
    card.locator("button[value=true]").click()
    page.wait_for_selector(f"#finding-{finding.pk}[data-done=true]")
    assert card.locator("[data-grade]").get_attribute("class") == "badge green"
    assert "绿" in card.locator("[data-grade]").inner_text()
    screenshot(page, "field-phone-reinspection")
    finding.refresh_from_db()
    enterprise.refresh_from_db()
    assert finding.status == Finding.Status.RECTIFIED
    assert enterprise.grade == Grade.GREEN


def test_the_week_schedule_fits_a_phone(phone_page):
    page = phone_page
    inspection = demo_visit()
    sign_in(page, "officer", settings.DEMO_PASSWORD, path="/accounts/login/")
    page.wait_for_url("**/field/")
    page.click('a[href="/inspections/week/"]')
    page.wait_for_selector("#week-schedule")
    # Measured once the page's stylesheets are in: the table exists before week.css is applied (a busy machine).
    page.wait_for_load_state("load")
    name = page.locator("#week-schedule td.enterprise strong").first
    box = name.bounding_box()
    assert box["height"] < 80, "the enterprise name wraps one character per line"
    assert inspection.enterprise.name in name.inner_text()
    qr = page.locator("#week-schedule .qr svg").first.bounding_box()
    assert qr["x"] >= 0 and qr["x"] + qr["width"] <= PHONE_WIDTH
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
    screenshot(page, "field-phone-week-schedule")


def test_the_field_area_is_usable_on_a_desktop(page):
    inspection = demo_visit()
    sign_in(page, "officer", settings.DEMO_PASSWORD, path="/accounts/login/")
    page.wait_for_url("**/field/")
    screenshot(page, "field-desktop-week")
    page.click(f'a[href="/field/visits/{inspection.pk}/"]')
    page.wait_for_selector("#visit-form[data-ready=true]")
    page.click("#show-code")
    qr = page.locator("#code-screen .qr svg").bounding_box()
    assert qr["y"] >= 0 and qr["y"] + qr["height"] <= 900
    page.click("#close-code")
    screenshot(page, "field-desktop-visit")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280

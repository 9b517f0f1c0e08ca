"""Showing the code (亮码) in the field area is the officer's own act: on a 390 × 844 phone in zh-hans, as the
demo's officer (the visit of tests/browser/test_field_area.py), a visit completed without showing the code asks
why (in Chinese; "other" asks for the explanation too) and keeps the reason; offline, the reason travels in the
outbox with the rest of the visit; a visit whose code was shown first is completed without being asked."""

import pytest
from django.conf import settings
from django.utils import timezone

from inspections.models import Inspection
from tests.browser.conftest import screenshot, sign_in
from tests.browser.test_field_area import _answer, demo_visit

pytestmark = pytest.mark.django_db(transaction=True)


def _open_and_answer(page, inspection: Inspection) -> None:
    """From the week page, today's visit opened and every item answered compliant."""
    assert inspection.enterprise.name in page.locator(f"#day-{timezone.localdate().isoformat()}").inner_text()
    page.click(f'a[href="/field/visits/{inspection.pk}/"]')
    page.wait_for_selector("#visit-form[data-ready=true]")
    for item in inspection.items.all():
        _answer(page, item, "compliant")


def _signed_in(page) -> None:
    sign_in(page, "officer", settings.DEMO_PASSWORD, path="/accounts/login/")
    page.wait_for_url("**/field/")


def test_completing_without_showing_the_code_asks_why_and_keeps_the_reason(phone_page):
    page = phone_page
    inspection = demo_visit()
    _signed_in(page)
    _open_and_answer(page, inspection)
    reasons = page.locator("#code-not-shown")
    assert reasons.is_visible()
    assert "为什么没有亮码" in reasons.locator("legend").inner_text()

    page.click("#complete")
    prompt = page.locator("#complete-errors")
    assert "尚未亮码" in prompt.inner_text() and "未亮码的原因" in prompt.inner_text()
    screenshot(page, "field-phone-code-not-shown-asked")

    # "Other" needs its explanation.
    reasons.locator("label.choice", has_text="其他").click()
    page.click("#complete")
    assert "请说明未亮码的原因" in prompt.inner_text()
    page.fill("#code-not-shown-note", "企业负责人外出，值班人员不会扫码核验")
    assert prompt.is_hidden()  # the prompt goes once the explanation is there
    screenshot(page, "field-phone-code-not-shown-reason")
    page.click("#complete")

    page.wait_for_selector("#record")
    assert page.locator("#record-code").inner_text() == "未亮码：其他（企业负责人外出，值班人员不会扫码核验）"
    screenshot(page, "field-phone-code-not-shown-completed")
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.COMPLETED
    assert inspection.code_shown_at is None
    assert inspection.code_not_shown_reason == Inspection.CodeNotShownReason.OTHER
    assert inspection.code_not_shown_note == "企业负责人外出，值班人员不会扫码核验"


def test_the_reason_waits_in_the_outbox_with_the_visit_when_offline(phone_page):
    page = phone_page
    inspection = demo_visit()
    _signed_in(page)
    page.wait_for_selector("#offline-status[data-offline-ready=true]")
    page.context.set_offline(True)
    _open_and_answer(page, inspection)
    page.click("#complete")
    assert "尚未亮码" in page.locator("#complete-errors").inner_text()
    page.locator("#code-not-shown label.choice", has_text="企业停业").click()
    page.click("#complete")
    page.wait_for_selector("#outbox[data-pending='1']")
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.SCHEDULED

    page.context.set_offline(False)
    page.wait_for_selector("#outbox[data-pending='0']", state="attached")
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.COMPLETED
    assert (inspection.code_shown_at, inspection.code_not_shown_reason) == (
        None,
        Inspection.CodeNotShownReason.NOBODY_PRESENT,
    )


def test_a_visit_whose_code_was_shown_first_completes_without_being_asked(phone_page):
    page = phone_page
    inspection = demo_visit()
    _signed_in(page)
    page.click(f'a[href="/field/visits/{inspection.pk}/"]')
    page.wait_for_selector("#visit-form[data-ready=true]")
    assert page.locator("#code-not-shown").is_visible()
    page.click("#show-code")
    page.click("#close-code")
    assert page.locator("#code-not-shown").is_hidden()  # shown: nothing to explain
    for item in inspection.items.all():
        _answer(page, item, "compliant")
    page.click("#complete")

    page.wait_for_selector("#record")
    assert "已亮码" in page.locator("#record-code").inner_text()
    screenshot(page, "field-phone-code-shown-completed")
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.COMPLETED
    assert inspection.code_shown_at is not None and inspection.code_shown_at < inspection.completed_at
    assert inspection.code_not_shown_reason == ""

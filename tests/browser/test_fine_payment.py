"""An enterprise on a phone, in Chinese: signs in, opens its case, sees its fine five days late with the late fee
that paying now of its own accord waives (免加罚), pays through the simulated gateway's cashier, waits for the
gateway's confirmation and sees the fine paid on the case's page."""

import pytest
from django.conf import settings

from inspections.models import Fine
from tests.browser.conftest import screenshot, sign_in
from tests.cast import Cast
from tests.inspections.fine_helpers import ensure_waiver_policy, served_fine

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_enterprise_pays_its_fine_from_its_case_page_on_a_phone(phone_page, live_server, settings_for_payment):
    ensure_waiver_policy()
    cast = Cast()
    fine = served_fine(cast, amount="800", served_days_ago=20)  # five days late: 120 yuan of late fee
    page = phone_page
    sign_in(page, cast.enterprise_user.username, settings.DEMO_PASSWORD, path="/accounts/login/")
    page.wait_for_url("**/enterprise/")

    page.goto(f"/inspections/mine/cases/{fine.case_id}/")
    section = page.locator("#fine")
    assert "罚款缴纳" in section.inner_text()
    assert "800.00" in section.inner_text() and "未缴纳" in section.inner_text()
    assert "本次应缴：800.00元" in section.inner_text()
    assert "可免除加处罚款120.00元" in section.inner_text()
    screenshot(page, "fine-case-phone")

    page.click("text=在线缴纳")
    page.wait_for_url("**/payments/simulator/*/")
    assert "模拟支付平台" in page.inner_text("h1")
    assert "800.00" in page.inner_text(".order-amount")
    screenshot(page, "fine-cashier-phone")
    page.click("text=确认支付")
    page.wait_for_selector(".order-paid", timeout=30_000)  # the page reloads itself until the gateway confirms
    assert "缴费成功" in page.inner_text(".order-status")
    screenshot(page, "fine-paid-result-phone")

    page.click("text=返回")
    page.wait_for_url(f"**/inspections/mine/cases/{fine.case_id}/")
    section = page.locator("#fine")
    assert "已缴纳" in section.inner_text() and "免除加处罚款（元）" in section.inner_text()
    assert "在线缴纳" not in section.inner_text()
    screenshot(page, "fine-paid-case-phone")
    fine.refresh_from_db()
    assert fine.status == Fine.Status.PAID and str(fine.late_fee_waived) == "120.00"
    # Nothing is wider than the phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


@pytest.fixture
def settings_for_payment(settings, live_server):
    """The gateway's notification (its task runs eagerly here) is posted to the running site."""
    settings.PAYMENT_CALLBACK_BASE_URL = live_server.url

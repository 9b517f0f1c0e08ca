"""Issue 17 as the enterprise lives it, on a phone (390×844) in Chinese: it signs in, opens its penalty case, reads
the decision (处罚决定书) and confirms its receipt, pays the fine through the simulated gateway, reads when it may
apply for credit repair (信用修复); six months later it applies with its payment receipt, and once the market
department approves, its case page says the record is repaired."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from inspections.models import PenaltyCase, RepairApplication
from inspections.services import repair as repair_services
from tests.browser.conftest import screenshot, sign_in
from tests.cast import Cast
from tests.inspections.fine_helpers import decided_fine_case, ensure_waiver_policy
from tests.inspections.repair_helpers import PDF, rules

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def settings_for_payment(settings, live_server):
    """The gateway's notification (its task runs eagerly here) is posted to the running site."""
    settings.PAYMENT_CALLBACK_BASE_URL = live_server.url


def test_the_enterprise_reads_its_decision_pays_and_applies_for_repair(phone_page, settings_for_payment):
    ensure_waiver_policy()
    rules()  # a fine: 180 days of disclosure before its record may be repaired
    cast = Cast()
    case = decided_fine_case(cast, "800")  # decided on the spot; the decision issued, not yet received
    page = phone_page
    sign_in(page, cast.enterprise_user.username, settings.DEMO_PASSWORD, path="/accounts/login/")
    page.wait_for_url("**/enterprise/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"

    # It reads its decision and confirms receipt.
    page.goto(f"/inspections/mine/cases/{case.pk}/")
    decision = page.locator("[data-kind=penalty_decision]")
    assert "行政处罚决定书" in decision.inner_text()
    pdf = page.request.get(decision.get_by_role("link", name="查看（PDF）").get_attribute("href"))
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    decision.get_by_role("button", name="确认签收").click()
    page.wait_for_url(f"**/inspections/mine/cases/{case.pk}/")
    eligible = (timezone.localdate(case.decided_at) + timedelta(days=180)).isoformat()
    repair = page.locator("#credit-repair")
    assert "信用修复" in repair.inner_text()
    assert f"处罚决定履行后，自{eligible}起可以申请信用修复" in repair.inner_text()
    screenshot(page, "penalty-decision-received-phone")

    # It pays through the gateway's cashier.
    assert "本次应缴：800.00元" in page.inner_text("#fine")
    page.click("text=在线缴纳")
    page.wait_for_url("**/payments/simulator/*/")
    page.click("text=确认支付")
    page.wait_for_selector(".order-paid", timeout=30_000)
    page.click("text=返回")
    page.wait_for_url(f"**/inspections/mine/cases/{case.pk}/")
    assert "已缴纳" in page.inner_text("#fine") and "已履行" in page.inner_text("#case-status")
    assert f"最短公示期届满后，自{eligible}起可以申请信用修复" in page.inner_text("#credit-repair")
    assert "申请信用修复" not in page.locator("#credit-repair a").all_inner_texts()
    screenshot(page, "penalty-paid-waiting-phone")

    # Six months later (the decision's day moved back): the disclosure period has passed.
    PenaltyCase.objects.filter(pk=case.pk).update(decided_at=timezone.now() - timedelta(days=181))
    page.reload()
    assert "最短公示期已届满" in page.inner_text("#credit-repair")
    page.locator("#credit-repair").get_by_role("link", name="申请信用修复").click()
    page.wait_for_url(f"**/inspections/mine/cases/{case.pk}/repair/")
    assert "申请信用修复" in page.inner_text("h1")
    page.fill("textarea[name=statement]", "已按决定书要求整改，罚款已于线上缴清。")
    page.set_input_files("input[name=payment]", {"name": "缴款凭证.pdf", "mimeType": "application/pdf", "buffer": PDF})
    screenshot(page, "penalty-repair-form-phone")
    page.get_by_role("button", name="提交申请").click()
    assert "请作出信用承诺" in page.inner_text("main")  # the commitment is not ticked yet
    page.set_input_files("input[name=payment]", {"name": "缴款凭证.pdf", "mimeType": "application/pdf", "buffer": PDF})
    page.check("input[name=commitment]")
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_selector(".messages")
    assert "信用修复申请已提交" in page.inner_text(".messages")
    assert "执法部门将于" in page.inner_text("#credit-repair")
    screenshot(page, "penalty-repair-applied-phone")
    application = RepairApplication.objects.get(case=case)
    assert [e.kind for e in application.evidence.all()] == ["payment"]
    assert application.enterprise == cast.enterprise and application.submitted_by == cast.enterprise_user

    # The market department approves; the case page says the record is repaired.
    repair_services.repair_approve(application=application, actor=cast.market_officer, note="整改到位，准予修复")
    page.goto(f"/inspections/mine/cases/{case.pk}/")
    today = timezone.localdate().isoformat()
    assert f"已于{today}完成信用修复，该处罚信息不再公示" in page.inner_text("#credit-repair")
    screenshot(page, "penalty-repaired-phone")
    # Nothing is wider than the phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

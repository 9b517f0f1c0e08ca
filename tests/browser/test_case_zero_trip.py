"""Issue 17 (轻案零跑) as the people see it, in Chinese: the enterprise, on a phone (390×844), signs in, opens its
penalty case from its area, reads the advance notice (告知书), confirms receipt and states its defence (陈述申辩);
the handling officer, on a desktop, answers it in the admin and submits the case; a second officer of the
department approves and decides; back on the phone the enterprise reads the answer, confirms receipt of the
decision (处罚决定书) and sees the warning fulfilled, without ever visiting the office."""

import pytest
from django.conf import settings

from inspections.models import PenaltyCase
from inspections.services import cases as case_services
from tests.browser.conftest import _page, screenshot, sign_in
from tests.cast import Cast
from tests.inspections.case_factories import penalty_case, second_officer

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def desktop(chromium, request, live_server):
    yield from _page(chromium, request, live_server, {"width": 1366, "height": 900})


def _run_action(page, case: PenaltyCase, action: str) -> None:
    page.goto("/admin/inspections/penaltycase/")
    page.check(f"input[name=_selected_action][value='{case.pk}']")
    page.select_option("select[name=action]", action)
    page.click("button[name=index]")
    page.wait_for_load_state()


def test_the_enterprise_handles_its_case_online_and_the_officers_answer_and_decide(phone_page, desktop, chromium):
    cast = Cast()
    user = cast.enterprise_user
    case = penalty_case(cast)
    case = case_services.case_notify(case=case, actor=cast.market_officer)  # the notice issued after commit

    # The enterprise, on its phone: from its area to the case.
    sign_in(phone_page, user.username, settings.DEMO_PASSWORD, path="/accounts/login/")
    phone_page.wait_for_url("**/enterprise/")
    assert phone_page.locator("html").get_attribute("lang") == "zh-hans"
    section = phone_page.locator("#penalty-cases + ul")
    assert case.number in section.inner_text()
    section.get_by_role("link", name=case.number).click()
    phone_page.wait_for_url(f"**/inspections/mine/cases/{case.pk}/")
    assert "已告知" in phone_page.inner_text("#case-status")
    notice = phone_page.locator("[data-kind=penalty_notice]")
    assert "行政处罚告知书" in notice.inner_text()
    pdf = phone_page.request.get(notice.get_by_role("link", name="查看（PDF）").get_attribute("href"))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf" and pdf.body().startswith(b"%PDF")
    assert "确认签收告知书后即可在线陈述申辩" in phone_page.inner_text("main")
    screenshot(phone_page, "case-notice-phone")

    notice.get_by_role("button", name="确认签收").click()
    phone_page.wait_for_url(f"**/inspections/mine/cases/{case.pk}/")
    assert "已确认签收" in phone_page.inner_text(".messages")
    assert "确认签收" in phone_page.locator("[data-kind=penalty_notice] .receipt").inner_text()
    assert "陈述申辩" in phone_page.inner_text("#defence-period")
    phone_page.fill("textarea[name=statement]", "我单位已于当日完成整改，系首次违法，恳请从轻处理。")
    phone_page.get_by_role("button", name="提交陈述申辩").click()
    phone_page.wait_for_url(f"**/inspections/mine/cases/{case.pk}/")
    assert "等待执法部门答复" in phone_page.inner_text(".defence")
    screenshot(phone_page, "case-defence-phone")
    case.refresh_from_db()
    assert case.notice_served_at is not None and case.defences.count() == 1

    # The handling officer, on a desktop: answers in the admin and submits for approval.
    sign_in(desktop, cast.market_officer.username, settings.DEMO_PASSWORD)
    desktop.wait_for_url("**/admin/")
    desktop.goto(f"/admin/inspections/penaltycase/{case.pk}/change/")
    assert "我单位已于当日完成整改" in desktop.inner_text("#defences-group")
    desktop.fill("textarea[name=defences-0-answer]", "经核查整改属实，采纳陈述申辩意见，给予警告。")
    desktop.select_option("select[name=defences-0-accepted]", "true")
    desktop.click("input[name=_save]")
    desktop.wait_for_url("**/admin/inspections/penaltycase/")
    _run_action(desktop, case, "action_submit")
    assert "已提交1件案件" in desktop.inner_text(".messagelist")
    screenshot(desktop, "case-submitted-desktop")

    # A second officer of the department approves and decides; the opener could not.
    approver = second_officer(cast)
    context = chromium.new_context(base_url=desktop.url.split("/admin")[0], locale="zh-CN")
    second = context.new_page()
    sign_in(second, approver.username, settings.DEMO_PASSWORD)
    second.wait_for_url("**/admin/")
    _run_action(second, case, "action_decide")
    assert "已作出1份处罚决定" in second.inner_text(".messagelist")
    context.close()
    case.refresh_from_db()
    assert case.status == PenaltyCase.Status.DECIDED and case.approved_by == approver

    # Back on the phone: the answer, the decision, its receipt; the warning is fulfilled.
    phone_page.reload()
    assert "经核查整改属实" in phone_page.inner_text(".defence .answer")
    decision = phone_page.locator("[data-kind=penalty_decision]")
    assert "行政处罚决定书" in decision.inner_text()
    decision.get_by_role("button", name="确认签收").click()
    phone_page.wait_for_url(f"**/inspections/mine/cases/{case.pk}/")
    assert "已履行" in phone_page.inner_text("#case-status")
    screenshot(phone_page, "case-decided-phone")
    case.refresh_from_db()
    assert case.status == PenaltyCase.Status.FULFILLED and case.zero_trip and case.decision_served_at is not None

"""A city's coordinator on a desktop, in Chinese: the dashboard shows every figure of the indicators (the pending
plan entries, the no-penalty decisions, the market figures among them), and a figure opens the records behind
it, as many as it counts."""

import pytest
from django.conf import settings

from tests.browser.conftest import screenshot, sign_in
from tests.portal.test_dashboard_figures import every_program

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_coordinator_sees_the_new_figures_and_opens_the_records_behind_one(page, cast):
    every_program(cast)
    sign_in(page, cast.coordinator.username, settings.DEMO_PASSWORD)
    page.wait_for_url("**/admin/")
    board = page.inner_text("#dashboard")
    for label in ("待统筹", "决定不予处罚", "大市集营业额（元）", "摊位平均收入（元）", "市外直供点", "开展指导场次"):
        assert label in board, label
    market = page.locator(".figure[data-key='workshops.markets.revenue'] .value")
    assert market.inner_text() == "31,200.00"
    screenshot(page, "dashboard-figures-desktop")

    pending = page.locator(".figure[data-key='inspections.plan_entries.pending']")
    count = int(pending.locator(".value").inner_text())
    assert count == 1 and "待统筹" in pending.inner_text()
    pending.locator("a:has(.value)").click()
    page.wait_for_url("**/admin/inspections/planentry/**")
    assert page.locator("#result_list tbody tr").count() == count
    assert "待统筹" not in page.inner_text("#result_list")  # the list is of the entries, each "已报送"
    screenshot(page, "dashboard-figures-pending-entries")

    page.go_back()
    no_penalty = page.locator(".figure[data-key='inspections.findings.no_penalty']")
    count = int(no_penalty.locator(".value").inner_text())
    no_penalty.locator("a:has(.value)").click()
    page.wait_for_url("**/admin/inspections/finding/**")
    assert count == 1 and page.locator("#result_list tbody tr").count() == count
    assert "重大隐患" in page.inner_text("#result_list") and "不予处罚" in page.inner_text("#result_list")
    screenshot(page, "dashboard-figures-no-penalty-findings")

"""The coordinator's dashboard in a browser, in Chinese, on a phone and on a desktop: sign in, filter by a
region and a period (the date inputs hold ISO values whatever the language), open a figure's records."""

from datetime import date

import pytest
from django.conf import settings
from django.utils import timezone

from programs.pickers import region_path
from tests.browser.conftest import _page, screenshot, sign_in
from tests.factories import DepartmentFactory, EnterpriseFactory, coordinator, region_tree
from tests.inspections.factories import PlanEntryFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(params=[(390, 844), (1366, 900)], ids=["phone", "desktop"])
def screen(chromium, request, live_server):
    width, height = request.param
    yield from _page(chromium, request, live_server, {"width": width, "height": height})


def test_a_coordinator_filters_the_dashboard_by_region_and_period_and_opens_the_records(screen, request):
    page = screen
    city, ours, other = region_tree()["city"], region_tree(), region_tree("330206", "北仑区")
    last_year = timezone.localdate().year - 1
    for name, tree in (("鄞州的企业", ours), ("北仑的企业", other)):
        PlanEntryFactory(
            month=date(last_year, 3, 1),
            enterprise=EnterpriseFactory(region=tree["village"], name=name),
            department=DepartmentFactory(region=tree["county"]),
        )
    user = coordinator(region=city)
    sign_in(page, user.username, settings.DEMO_PASSWORD)
    page.wait_for_url("**/admin/")
    assert page.input_value("input[name=start]") == f"{last_year + 1}-01-01"  # an ISO value, shown by the browser
    # The first page already shows last year beside this one.
    assert f"{last_year}年：" in page.inner_text("#dashboard")
    screenshot(page, f"dashboard-first-page-{request.node.callspec.id}")

    page.select_option("select[name=region]", label=region_path(ours["county"]))  # 浙江省 宁波市 鄞州区
    page.fill("input[name=start]", f"{last_year}-01-01")
    page.fill("input[name=end]", f"{last_year}-12-31")
    page.select_option("select[name=compare]", value="")
    page.click("#dashboard form.filters [type=submit]")
    page.wait_for_load_state()
    assert page.input_value("input[name=end]") == f"{last_year}-12-31"
    figure = page.locator(".figure", has_text="报送计划数")
    assert figure.locator(".value").inner_text() == "1"
    screenshot(page, f"dashboard-filtered-{request.node.callspec.id}")

    figure.locator("a").click()
    page.wait_for_url("**/admin/inspections/planentry/**")
    records = page.inner_text("#result_list")
    assert "鄞州的企业" in records and "北仑的企业" not in records
    screenshot(page, f"dashboard-records-{request.node.callspec.id}")

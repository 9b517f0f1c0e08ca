"""A grid manager (网格管家) in a browser, in Chinese, on a phone and on a desktop: signs in, finds their grids'
figures on the dashboard, follows the figure to their enterprises and sees those of their grid only, then opens
their grid with its micro-grids and people."""

import pytest
from django.conf import settings

from programs.models import Enterprise
from tests.browser.conftest import _page, screenshot, sign_in
from tests.programs.test_grids import Layout

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(params=[(390, 844), (1366, 900)], ids=["phone", "desktop"])
def screen(chromium, request, live_server):
    width, height = request.param
    yield from _page(chromium, request, live_server, {"width": width, "height": height})


def test_a_grid_manager_signs_in_and_sees_only_their_grids_enterprises(screen, request, cast):
    page, shot = screen, request.node.callspec.id
    layout = Layout(cast)
    Enterprise.objects.filter(pk=layout.in_a1.pk).update(is_key=True)
    sign_in(page, layout.manager_a.username, settings.DEMO_PASSWORD)
    page.wait_for_url("**/admin/")

    assert "已划入微网格的企业" in page.inner_text(".figure[data-key='grids.enterprises_assigned']")
    assert "月度趋势" not in page.inner_text("#content")  # no trend of records by month is theirs
    assert "各网格重点企业" in page.inner_text("#content")
    screenshot(page, f"grid-manager-dashboard-{shot}")
    page.locator(".figure[data-key='grids.enterprises_assigned'] a").click()
    page.wait_for_url("**/admin/programs/enterprise/**")
    listed = page.inner_text("#result_list")
    assert layout.in_a1.name in listed and layout.in_a2.name in listed
    assert layout.in_b1.name not in listed and layout.in_none.name not in listed
    assert "第一网格 微网格01" in listed  # each enterprise's micro-grid, named with its grid
    screenshot(page, f"grid-manager-enterprises-{shot}")

    page.goto("/admin/programs/grid/")
    assert "第二网格" not in page.inner_text("#result_list")
    page.get_by_role("link", name="第一网格").first.click()
    page.wait_for_url(f"**/admin/programs/grid/{layout.grid_a.pk}/change/")
    body = page.inner_text("#content")
    assert "微网格01" in body and "微网格02" in body
    assert layout.manager_a.username in body and "网格管家" in body
    screenshot(page, f"grid-manager-grid-{shot}")

"""Two coordinators of one city in a browser, in Chinese, on a phone and on a desktop: the first opens the
dashboard (computed, and the page says when); the refresh task computes it again after new records; the second
reads the fresh figures without waiting for them to be counted. Then a list longer than the count's cap says
"+" and links on past it."""

import pytest
from django.conf import settings

from portal.models import DashboardSnapshot
from portal.tasks import refresh_dashboards
from programs.admin import RoleScopedAdmin
from tests.browser.conftest import _page, screenshot, sign_in
from tests.factories import EnterpriseFactory, coordinator, region_tree

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(params=[(390, 844), (1366, 900)], ids=["phone", "desktop"])
def screen(chromium, request, live_server):
    width, height = request.param
    yield from _page(chromium, request, live_server, {"width": width, "height": height})


def all_enterprises(page) -> str:
    return page.locator(".figure", has_text="企业总数").first.locator(".value").inner_text()


def sign_out(page) -> None:
    page.context.clear_cookies()


def test_the_second_coordinator_reads_the_board_the_refresh_computed(screen, request):
    page = screen
    tree = region_tree()
    EnterpriseFactory.create_batch(2, region=tree["village"])
    first, second = coordinator(region=tree["city"]), coordinator(region=tree["city"])

    sign_in(page, first.username, settings.DEMO_PASSWORD)
    page.wait_for_url("**/admin/")
    assert all_enterprises(page) == "2"
    computed = page.inner_text("#dashboard-computed-at")
    assert computed.startswith("计算于") and "默认时段的数据每五分钟重新计算" in computed
    screenshot(page, f"dashboard-snapshot-first-{request.node.callspec.id}")

    EnterpriseFactory.create_batch(3, region=tree["village"])
    assert refresh_dashboards()["refreshed"] == 1  # what the beat sends every five minutes
    sign_out(page)
    sign_in(page, second.username, settings.DEMO_PASSWORD)
    page.wait_for_url("**/admin/")
    assert all_enterprises(page) == "5"
    assert page.inner_text("#dashboard-computed-at").startswith("计算于")
    assert DashboardSnapshot.objects.count() == 1  # one board for the city's coordinators
    screenshot(page, f"dashboard-snapshot-second-{request.node.callspec.id}")


def test_a_list_past_the_cap_says_so_and_links_on(screen, request, settings, monkeypatch):
    page = screen
    settings.API_COUNT_CAP = 5
    monkeypatch.setattr(RoleScopedAdmin, "list_per_page", 2)
    tree = region_tree()
    for n in range(12):
        EnterpriseFactory(region=tree["village"], name=f"长名单企业{n:02d}")
    user = coordinator(region=tree["city"])
    sign_in(page, user.username, settings.DEMO_PASSWORD)
    page.wait_for_url("**/admin/")
    page.goto(f"{page.url.split('/admin/')[0]}/admin/programs/enterprise/?o=1&p=3")
    line = page.inner_text("p.paginator")
    assert "5+" in line and "企业" in line
    assert "选中所有的" not in page.content()  # no "select all 5 enterprises", hidden or shown
    assert "5+ 条结果" in page.inner_text("#changelist-search")  # the search bar's count says "at least" too
    third = set(page.locator("#result_list tbody th a").all_inner_texts())
    page.click("p.paginator a:has-text('4')")
    page.wait_for_url("**p=4**")
    fourth = set(page.locator("#result_list tbody th a").all_inner_texts())
    assert page.inner_text("p.paginator .this-page") == "4"  # where the reader is, past the counted pages
    assert len(third) == len(fourth) == 2 and not third & fourth  # the rows after the counted ones
    assert all(name.startswith("长名单企业") for name in fourth)
    screenshot(page, f"capped-list-{request.node.callspec.id}")

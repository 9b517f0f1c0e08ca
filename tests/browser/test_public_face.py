"""A visitor on the home page, on a phone and on a desktop, in Chinese: the three services, whom each is for,
and the way into each; the office in the footer; the site's icon; a missing page in the site's look."""

import pytest

from tests.browser.conftest import _page, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

OFFICE = {
    "SITE_OFFICE_NAME": "岱山县政务服务中心",
    "SITE_OFFICE_ADDRESS": "岱山县高亭镇长河路 1 号",
    "SITE_OFFICE_PHONE": "0580-4412345",
    "SITE_ICP_RECORD": "浙ICP备12345678号-1",
}


@pytest.fixture
def desktop_page(chromium, request, live_server):
    yield from _page(chromium, request, live_server, {"width": 1366, "height": 900})


@pytest.fixture(params=["phone", "desktop"])
def visitor(request, settings):
    for name, value in OFFICE.items():
        setattr(settings, name, value)
    page = request.getfixturevalue("phone_page" if request.param == "phone" else "desktop_page")
    page.size = request.param
    return page


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_visitor_understands_the_three_services_and_reaches_each(visitor):
    page = visitor
    page.goto("/")
    services = page.locator("main .service h2")
    assert services.all_inner_texts() == ["共富工坊", "涉企行政检查 · 亮码检查", "预约式行政指导", "投诉举报"]
    audiences = ("面向想在家门口就业的村民", "面向接受检查的企业", "面向企业和准备开业的经营者")
    audiences += ("面向居民和身边发现问题的人",)
    for audience in audiences:
        assert page.get_by_text(audience).is_visible()
    assert page.locator("a[href='/api/docs/']").count() == 0
    footer = page.locator("footer.site-footer")
    for value in OFFICE.values():
        assert value in footer.inner_text()
    assert footer.locator("a[href='https://beian.miit.gov.cn/']").inner_text() == OFFICE["SITE_ICP_RECORD"]
    assert fits_the_screen(page)
    screenshot(page, f"public-home-{page.size}")

    for link, arrives, heading in (
        ("#workshops a.button", "**/workshops/", "共富工坊：家门口的岗位"),
        ("#inspections a.button", "**/verify/", "核验行政行为码"),
        ("#guidance a.button", "**/guidance/", None),
        ("#complaints a.button", "**/complaints/new/", "投诉举报"),
        (".sign-in-card a.button", "**/accounts/login/", "登录"),
    ):
        page.goto("/")
        page.click(link)
        page.wait_for_url(arrives)
        if heading:
            assert page.locator("main h1").inner_text() == heading
        assert OFFICE["SITE_OFFICE_PHONE"] in page.locator("footer.site-footer").inner_text()
        assert fits_the_screen(page)


def test_the_site_has_its_own_icon(visitor):
    page = visitor
    page.goto("/")
    assert page.locator("link[rel=icon]").get_attribute("href") == "/static/portal/favicon.svg"
    status, kind = page.evaluate("fetch('/favicon.ico').then(r => [r.status, r.headers.get('content-type')])")
    assert (status, kind.split(";")[0]) == (200, "image/svg+xml")


def test_a_missing_page_is_in_the_sites_look_with_no_list_of_addresses(visitor):
    page = visitor
    response = page.goto("/no-such-page/")
    assert response.status == 404
    assert page.locator("main h1").inner_text() == "页面未找到"
    assert page.locator("header .brand").is_visible()
    assert OFFICE["SITE_OFFICE_NAME"] in page.locator("footer.site-footer").inner_text()
    body = page.locator("body").inner_text()
    assert "URLconf" not in body and "admin/" not in body and "Page not found" not in body
    assert fits_the_screen(page)
    screenshot(page, f"public-404-{page.size}")
    page.click("main a.button:has-text('首页')")
    page.wait_for_url("**/")
    assert page.locator("main .service").count() == 4

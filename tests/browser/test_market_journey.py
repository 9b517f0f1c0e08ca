"""An organiser of 舟山市 in a browser, in Chinese, on a desktop: records the “共富工坊” market with two workshops
taking part from two counties (定海, 普陀), their stalls, revenue and products, and a supply point in 杭州, in
the admin, and sees it in the list (the average per stall computed) and on its own page; a county organiser of
定海 sees it too, one of the workshops being theirs."""

from decimal import Decimal

import pytest
from django.conf import settings

from programs.models import Region
from tests.browser.conftest import screenshot, sign_in
from tests.workshops.factories import WorkshopFactory, organiser, village
from workshops.models import Market

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_organiser_records_a_market_of_two_workshops_in_the_admin_and_sees_it(page, chromium, live_server):
    dinghai = WorkshopFactory(village=village("330902"), name="“离岛耕海”共富工坊")
    putuo = WorkshopFactory(village=village("330903"), name="“蚂蚁岛虾皮”共富工坊")
    city = organiser(region=Region.objects.get(code="330900000000"))
    sign_in(page, city.username, settings.DEMO_PASSWORD)
    page.wait_for_url("**/admin/")

    page.goto("/admin/workshops/market/add/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    page.fill("input[name=title]", "“共富工坊”大市集")
    page.fill("input[name=held_on]", "2025-11-08")
    page.fill("input[name=venues]", "定海、普陀")
    page.fill("input[name=organised_by]", "舟山市委组织部")
    page.fill("input[name=visitors]", "5200")
    offered = page.locator("select[name=participations-0-workshop] option").all_inner_texts()
    assert dinghai.name in offered and putuo.name in offered
    for row, (workshop, stalls, revenue, count, products) in enumerate(
        [(dinghai, "4", "10400", "8", "长白对虾、虾干"), (putuo, "2", "5200", "3", "蚂蚁岛虾皮")]
    ):
        page.select_option(f"select[name=participations-{row}-workshop]", label=workshop.name)
        page.fill(f"input[name=participations-{row}-stalls]", stalls)
        page.fill(f"input[name=participations-{row}-revenue]", revenue)
        page.fill(f"input[name=participations-{row}-products_offered]", count)
        page.fill(f"input[name=participations-{row}-products]", products)
    page.select_option("select[name=supply_points-0-workshop]", label=putuo.name)
    page.fill("input[name=supply_points-0-city]", "杭州")
    page.fill("input[name=supply_points-0-address]", "拱墅区舟山特产店")
    screenshot(page, "market-add-desktop")
    page.click("input[name=_save]")
    page.wait_for_url("**/admin/workshops/market/")

    market = Market.objects.get(title="“共富工坊”大市集")
    taking_part = {p.workshop_id: (p.stalls, p.revenue) for p in market.participations.all()}
    assert taking_part == {dinghai.pk: (4, Decimal("10400.00")), putuo.pk: (2, Decimal("5200.00"))}
    assert [(s.workshop_id, s.city) for s in market.supply_points.all()] == [(putuo.pk, "杭州")]
    listed = page.inner_text("#result_list")
    assert "“共富工坊”大市集" in listed and "15,600.00" in listed and "2,600.00" in listed
    screenshot(page, "market-list-desktop")

    page.goto(f"/admin/workshops/market/{market.pk}/change/")
    shown = page.inner_text("#content")
    assert dinghai.name in shown and putuo.name in shown and "杭州" in shown and "市外直供点" in shown
    screenshot(page, "market-page-desktop")

    # A 定海 organiser sees the market (one of the workshops is theirs), once.
    context = chromium.new_context(base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 900})
    county_page = context.new_page()
    sign_in(county_page, organiser(region=Region.objects.get(code="330902000000")).username, settings.DEMO_PASSWORD)
    county_page.wait_for_url("**/admin/")
    county_page.goto("/admin/workshops/market/")
    assert county_page.locator("#result_list tbody tr").count() == 1
    context.close()

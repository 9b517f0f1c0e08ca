"""A villager with an account, on a phone and on a desktop, in Chinese: signs in, finds their own village
chosen and the positions around it ("同村" for their own village), opens the form filled in from their record,
registers, and sees the registration with its readable reference, its status and the next step."""

import re

import pytest
from django.conf import settings

from tests.browser.conftest import _page, screenshot, sign_in
from tests.workshops.factories import PositionFactory, ResidentFactory, WorkshopFactory, resident_user, village
from workshops.models import Registration, VillageDistance

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def desktop_page(chromium, request, live_server):
    yield from _page(chromium, request, live_server, {"width": 1366, "height": 900})


@pytest.fixture(params=["phone", "desktop"])
def screen(request):
    page = request.getfixturevalue("phone_page" if request.param == "phone" else "desktop_page")
    page.size = request.param
    return page


def test_a_villager_signs_in_registers_near_home_and_sees_the_registration(screen):
    page = screen
    home = village(town=1, number=11, name="东海村")
    neighbour = village(town=1, number=12, name="西岙村")
    VillageDistance.objects.create(from_village=home, to_village=neighbour, minutes=8)
    resident = ResidentFactory(name="汤忠定", village=home, phone="13905801234")
    user = resident_user(resident)
    position = PositionFactory(workshop=WorkshopFactory(village=home, name="岱津共富工坊"), title="零部件装配")
    PositionFactory(workshop=WorkshopFactory(village=neighbour, name="西岙共富工坊"), title="贻贝分拣")

    sign_in(page, user.username, settings.DEMO_PASSWORD, path="/accounts/login/")
    page.wait_for_url("**/workshops/**")
    page.goto("/workshops/")
    assert page.locator("select#village").input_value() == str(home.pk)
    own = page.locator("ul.cards li", has_text="零部件装配")
    assert "同村" in own.inner_text() and "0 分钟" not in own.inner_text()
    assert "约 8 分钟路程" in page.locator("ul.cards li", has_text="贻贝分拣").inner_text()
    screenshot(page, f"villager-positions-{page.size}")

    page.click(f"a[href='/workshops/positions/{position.pk}/']")
    assert page.locator("input[name=name]").input_value() == "汤忠定"
    assert page.locator("select[name=village]").input_value() == str(home.pk)
    assert "东海村" in page.locator("select[name=village] option:checked").inner_text()
    assert page.locator("input[name=phone]").input_value() == "13905801234"
    assert resident.id_number not in page.content()
    page.fill("input[name=baseline_monthly_income]", "1200")
    page.check("input[name=consent]")
    screenshot(page, f"villager-form-{page.size}")
    page.click("main button[type=submit]")

    page.wait_for_url("**/workshops/registered/**")
    registration = Registration.objects.get()
    assert registration.resident == resident and registration.position == position
    assert re.fullmatch(r"W\d{6}-[2-9A-Z]{6}", registration.reference)
    main = page.locator("main").inner_text()
    assert registration.reference in main and "已报名" in main and "下一步" in main
    screenshot(page, f"villager-registered-{page.size}")

    page.click("main a[href='/workshops/mine/']")
    page.wait_for_url("**/workshops/mine/")
    card = page.locator("li.registration", has_text="零部件装配")
    text = card.inner_text()
    assert registration.reference in text and "已报名" in text and "下一步：社区会上门走访" in text
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, f"villager-mine-{page.size}")

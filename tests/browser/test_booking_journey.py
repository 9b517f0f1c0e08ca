"""A new business books a guidance visit in zh-hans, on a phone (390×844) and on a desktop (1366×900): one bad
field, the summary at the top, fixed, booked; then, from the emailed link, it moves the visit and cancels it,
each after a confirmation step, and is offered no calendar file once cancelled. Staff book for a caller from
the admin. Key screens are kept as screenshots under pytest's temporary folder."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail

from guidance.models import Booking, Office
from programs.services import notifications_send_due
from tests.browser.conftest import _page, sign_in
from tests.factories import coordinator, region_tree
from tests.guidance.factories import SlotFactory, ThemeFactory

pytestmark = pytest.mark.django_db(transaction=True)

SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}


def _sized(request, chromium, live_server, size: str):
    pages = _page(chromium, request, live_server, SIZES[size])
    page = next(pages)
    page.size_name = size
    yield page
    next(pages, None)  # closes the browser context (and keeps a screenshot of a failure)


@pytest.fixture(params=sorted(SIZES))
def screen(request, chromium, live_server):
    yield from _sized(request, chromium, live_server, request.param)


@pytest.fixture
def desktop(request, chromium, live_server):
    yield from _sized(request, chromium, live_server, "desktop")


@pytest.fixture
def shots(tmp_path_factory):
    folder = tmp_path_factory.mktemp("booking-journey")

    def take(page, name: str) -> None:
        page.screenshot(path=str(folder / f"{getattr(page, 'size_name', 'page')}-{name}.png"), full_page=True)

    return take


def two_districts():
    theme = ThemeFactory(title="开办餐饮")
    yinzhou = region_tree()["county"]
    beilun = region_tree("330206", "北仑区")["county"]
    for region in (yinzhou, beilun):
        for days in (3, 4, 5):
            SlotFactory(themes=[theme], region=region, starts_in=timedelta(days=days))
    Office.objects.create(region=beilun, name="北仑区综合行政执法局", address="北仑区明州路1号", phone="0574-86780000")
    return theme, beilun


def test_a_new_business_books_with_one_bad_field_then_moves_and_cancels_from_the_emailed_link(screen, shots):
    page = screen
    theme, beilun = two_districts()
    page.goto(f"/guidance/book/{theme.code}/")
    page.check("input[name=not_registered]")
    page.fill("input[name=business_name]", "周女士的面馆（筹）")
    page.fill("input[name=address]", "宁波市北仑区新碶街道明州路8号")
    page.locator("input[name=address]").blur()  # the address names 北仑区: its times are shown
    page.wait_for_selector("text=北仑区 的可预约时段")
    assert page.locator("select[name=district]").input_value() == str(beilun.pk)
    labels = page.locator("input[name=slot] + *, label:has(input[name=slot])").all_inner_texts()
    assert labels and all(re.search(r"\d+月\d+日 周.", label) for label in labels), labels
    page.locator("input[name=slot]").first.check()
    page.fill("input[name=contact_name]", "周女士")
    page.fill("input[name=contact_phone]", "1390")  # too short
    page.fill("input[name=contact_email]", "zhou@example.cn")
    page.check("input[name=consent]")
    page.click("main button:has-text('提交预约')")
    summary = page.locator("#error-summary")
    summary.wait_for()
    assert "请更正以下 1 项" in summary.inner_text()
    shots(page, "1-summary")
    summary.locator("a").first.click()
    assert page.url.endswith("#id_contact_phone_field")
    page.fill("input[name=contact_phone]", "13900000001")
    page.click("main button:has-text('提交预约')")
    page.wait_for_url("**/guidance/manage/**")
    booking = Booking.objects.get()
    assert booking.reference in page.content() and booking.region.code.startswith("330206")
    assert "北仑区综合行政执法局" in page.content()
    shots(page, "2-booked")

    notifications_send_due()
    [email] = [m for m in mail.outbox if booking.reference in m.subject and m.to == ["zhou@example.cn"]]
    html = email.alternatives[0][0]
    assert "0574-86780000" in html and "0574-86780000" in email.body
    link = re.search(r'href="[^"]*(/guidance/manage/[^/"]+/)"', html).group(1)
    page.goto(link)
    page.locator("form[action$='/reschedule/'] input[name=slot]").first.check()
    page.click("form[action$='/reschedule/'] button[type=submit]")
    page.wait_for_selector("h1:has-text('确认改约')")
    shots(page, "3-reschedule-confirm")
    page.click("button:has-text('确认改约')")
    page.wait_for_selector("text=已改约至")
    booking.refresh_from_db()
    assert booking.time_version == 2
    shots(page, "4-rescheduled")

    page.fill("form[action$='/cancel/'] textarea[name=reason]", "店面装修推迟")
    page.click("form[action$='/cancel/'] button[type=submit]")
    page.wait_for_selector("h1:has-text('确认取消预约')")
    shots(page, "5-cancel-confirm")
    page.click("button:has-text('确认取消')")
    page.wait_for_selector(f"text=预约 {booking.reference} 已取消")
    booking.refresh_from_db()
    assert booking.status == "cancelled"
    assert page.locator("a[href$='visit.ics']").count() == 0
    shots(page, "6-cancelled")


def test_staff_book_for_a_caller_from_the_admin(desktop, shots):
    theme, beilun = two_districts()
    staff = coordinator(region=beilun)
    sign_in(desktop, staff.username, settings.DEMO_PASSWORD)
    desktop.goto("/admin/guidance/booking/")
    desktop.click(".object-tools a.addlink")
    desktop.wait_for_selector("text=为来电人预约")
    desktop.select_option("select[name=theme]", str(theme.pk))
    desktop.locator("select[name=slot] option").nth(1).wait_for(state="attached")
    desktop.select_option("select[name=slot]", index=1)
    desktop.check("input[name=not_registered]")
    desktop.fill("input[name=business_name]", "孙记小吃（筹）")
    desktop.fill("input[name=address]", "北仑区大碶街道3号")
    desktop.fill("input[name=contact_name]", "")
    desktop.fill("input[name=contact_phone]", "13900000055")
    desktop.check("input[name=consent]")
    desktop.click("input[type=submit]")
    desktop.wait_for_selector("#error-summary")
    assert "来电人姓名" in desktop.locator("#error-summary").inner_text()
    shots(desktop, "7-phone-booking-error")
    desktop.fill("input[name=contact_name]", "孙先生")
    desktop.click("input[type=submit]")
    desktop.wait_for_url("**/change/")
    booking = Booking.objects.get()
    assert (booking.channel, booking.created_by_id) == ("phone", staff.pk)
    assert booking.reference in desktop.content() and "电话预约" in desktop.content()
    shots(desktop, "8-phone-booked")

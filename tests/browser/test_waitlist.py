"""The waitlist in a real browser, in zh-hans on a phone and on a desktop: a business picks a full time and
joins its waitlist; another business cancels; the first gets the offer by email (and SMS), opens the link and
takes the place."""

import re

import pytest
from django.core import mail

from guidance import services
from guidance.models import Booking, WaitlistEntry
from programs.models import Notification
from programs.services import notifications_send_due
from tests.browser.test_booking_journey import SIZES, _sized
from tests.guidance.factories import BookingFactory, SlotFactory, ThemeFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(params=sorted(SIZES))
def screen(request, chromium, live_server):
    yield from _sized(request, chromium, live_server, request.param)


@pytest.fixture
def shots(tmp_path_factory):
    folder = tmp_path_factory.mktemp("waitlist")

    def take(page, name: str) -> None:
        page.screenshot(path=str(folder / f"{page.size_name}-{name}.png"), full_page=True)

    return take


def test_a_business_joins_a_waitlist_gets_the_offer_when_another_cancels_and_takes_it(screen, shots):
    page = screen
    theme = ThemeFactory(title="开办餐饮")
    full = SlotFactory(themes=[theme], capacity=1)
    SlotFactory(themes=[theme], capacity=2)
    other = BookingFactory(slot=full, business_name="钱记面馆（筹）", contact_phone="13900000077")

    page.goto(f"/guidance/book/{theme.code}/")
    page.check(f"input[name=slot][value='{full.pk}']")
    assert "已约满：加入候补" in page.locator(f"label:has(input[value='{full.pk}'])").inner_text()
    page.check("input[name=not_registered]")
    page.fill("input[name=business_name]", "孙记小吃（筹）")
    page.fill("input[name=address]", "梅山街道3号")
    page.fill("input[name=contact_name]", "孙先生")
    page.fill("input[name=contact_phone]", "13900000078")
    page.fill("input[name=contact_email]", "sun@example.cn")
    page.check("input[name=consent]")
    page.click("main button:has-text('提交预约')")
    page.wait_for_url("**/guidance/waitlist/**")
    assert "第 1 位" in page.content()
    shots(page, "1-on-the-waitlist")

    services.booking_cancel(booking=other, actor=None, reason="店面没租下来")  # another business cancels
    entry = WaitlistEntry.objects.get()
    assert entry.status == "offered"
    assert Notification.objects.filter(dedupe_key=f"guidance:waitlist:{entry.pk}:offer:sms").exists()
    notifications_send_due()
    [offer] = [m for m in mail.outbox if m.to == ["sun@example.cn"] and "候补成功" in m.subject]
    link = re.search(r'href="[^"]*(/guidance/waitlist/[^/"]+/)"', offer.alternatives[0][0]).group(1)
    page.goto(link)
    page.wait_for_selector("text=有名额为您空出")
    shots(page, "2-offer")
    page.click("button:has-text('确认预约')")
    page.wait_for_url("**/guidance/manage/**")
    booking = Booking.objects.get(status="requested")
    assert booking.business_name == "孙记小吃（筹）" and booking.reference in page.content()
    full.refresh_from_db()
    assert full.booked == 1 == full.capacity
    shots(page, "3-booked")

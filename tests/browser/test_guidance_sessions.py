"""Issue 19, point 2, in a real browser in zh-hans: an officer records a follow-up session after rectification
for a completed guidance booking, on the booking's admin page where visits are recorded (a desktop page), and
the enterprise sees the booking's two sessions in its area on a phone."""

from datetime import timedelta

import pytest
from django.utils import timezone

from guidance import services
from guidance.models import Booking, Risk, Session
from tests.browser.conftest import screenshot, sign_in
from tests.cast import Cast
from tests.factories import EnterpriseFactory, enterprise_user
from tests.guidance.factories import BookingFactory, SlotFactory, ThemeFactory, claimed, visit_started

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "pw-guidance-sessions-1"
BUSINESS = "鄞州梅园面馆有限公司"


def _held_and_rectified(cast: Cast) -> Booking:
    """A registered enterprise's booking held by the fire-rescue officer (one risk found), the risk rectified."""
    enterprise = EnterpriseFactory(name=BUSINESS, region=cast.village)
    theme = ThemeFactory(title="消防安全", departments=[cast.fire])
    booking = claimed(
        BookingFactory(
            slot=SlotFactory(themes=[theme]), business_name="", not_registered=False, credit_code=enterprise.credit_code
        )
    )
    services.booking_confirm(booking=booking, actor=cast.coordinator, officers=[cast.fire_officer])
    booking = visit_started(booking)
    risk = services.risk_record(
        booking=booking,
        actor=cast.fire_officer,
        description="疏散通道堆放杂物",
        deadline=timezone.localdate() + timedelta(days=7),
    )
    services.session_record(booking=booking, actor=cast.fire_officer, summary="现场查看后厨与疏散通道")
    services.risk_submit_evidence(risk=risk, actor=cast.fire_officer, note="杂物已清理")
    services.risk_confirm(risk=risk, actor=cast.fire_officer)
    return booking


def _fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_an_officer_records_a_follow_up_session_and_the_enterprise_sees_both_on_its_phone(page, phone_page):
    cast = Cast()
    booking = _held_and_rectified(cast)
    cast.fire_officer.set_password(PASSWORD)
    cast.fire_officer.save()

    # The officer, on the booking's page in the admin, where visits are recorded.
    sign_in(page, cast.fire_officer.username, PASSWORD, path="/accounts/login/")
    page.wait_for_url("**/field/")
    page.goto(f"/admin/guidance/booking/{booking.pk}/change/")
    assert "首次指导" in page.locator("#sessions-group").inner_text()
    screenshot(page, "guidance-sessions-01-booking")
    page.get_by_role("link", name="记录指导").click()
    page.wait_for_url(f"**/admin/guidance/booking/{booking.pk}/session/")
    assert "已完成预约的整改后回访指导" in page.locator("#content-main").inner_text()
    assert page.locator(f"input[name=officers][value='{cast.fire_officer.pk}']").is_checked()
    page.get_by_label("线上").check()
    page.fill("textarea[name=summary]", "视频回访：疏散通道已清理，整改到位")
    screenshot(page, "guidance-sessions-02-form")
    page.get_by_role("button", name="保存指导记录").click()
    page.wait_for_url(f"**/admin/guidance/booking/{booking.pk}/change/")
    done = page.locator("ul.messagelist .success")
    assert done.inner_text() == f"已记录预约 {booking.reference} 的回访指导。"
    sessions = page.locator("#sessions-group").inner_text()
    assert "首次指导" in sessions and "回访指导" in sessions and "视频回访" in sessions
    screenshot(page, "guidance-sessions-03-recorded")

    follow_up = Session.objects.get(booking=booking, kind=Session.Kind.FOLLOW_UP)
    assert (follow_up.mode, list(follow_up.officers.all())) == ("online", [cast.fire_officer])
    assert Risk.objects.get(booking=booking).session.kind == Session.Kind.FIRST

    # The enterprise, on its phone: its area, then the booking with its two sessions.
    user = enterprise_user(booking.enterprise, username="meiyuan")
    user.set_password(PASSWORD)
    user.save()
    phone = phone_page
    sign_in(phone, "meiyuan", PASSWORD, path="/accounts/login/")
    phone.wait_for_url("**/enterprise/")
    row = phone.locator("main tr", has_text=booking.reference)
    assert "已开展 2 次指导" in row.inner_text()
    assert _fits_the_screen(phone)
    screenshot(phone, "guidance-sessions-04-area-phone")
    row.get_by_role("link").click()
    phone.wait_for_url("**/guidance/manage/**")
    held = phone.locator("#sessions > li")
    assert held.count() == 2
    assert "首次指导" in held.nth(0).inner_text() and "现场查看后厨与疏散通道" in held.nth(0).inner_text()
    assert "回访指导" in held.nth(1).inner_text() and "线上" in held.nth(1).inner_text()
    assert "视频回访：疏散通道已清理，整改到位" in held.nth(1).inner_text()
    assert _fits_the_screen(phone)
    screenshot(phone, "guidance-sessions-05-booking-phone")

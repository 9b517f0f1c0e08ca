"""Issue 13, point 8, as the enterprise sees it, on a phone and on a desktop: a stranger booked a guidance
visit giving the enterprise's credit code; the enterprise's user signs in, finds it under "made with your credit
code", confirms it is theirs, and from then on it is among their own bookings. Another enterprise's user cannot
claim it."""

import pytest
from django.test import Client

from guidance.models import Booking
from tests.browser.conftest import _page, screenshot, sign_in
from tests.factories import EnterpriseFactory, enterprise_user
from tests.guidance.factories import BookingFactory, SlotFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "pw-enterprise-claim-1"


@pytest.fixture(params=[(390, 844), (1366, 900)], ids=["phone", "desktop"])
def screen(chromium, request, live_server):
    width, height = request.param
    yield from _page(chromium, request, live_server, {"width": width, "height": height})


def _unverified_booking():
    enterprise = EnterpriseFactory(name="鄞州梅园面馆有限公司")
    user = enterprise_user(enterprise, username="meiyuan")
    user.set_password(PASSWORD)
    user.save()
    booking = BookingFactory(slot=SlotFactory(), not_registered=False, credit_code=enterprise.credit_code)
    assert booking.unverified_enterprise_id == enterprise.pk and booking.enterprise_id is None
    return enterprise, booking


def test_the_enterprise_claims_a_booking_made_with_its_credit_code(screen, request):
    phone_page, shot = screen, request.node.callspec.id
    enterprise, booking = _unverified_booking()
    sign_in(phone_page, "meiyuan", PASSWORD, path="/accounts/login/")
    phone_page.wait_for_url("**/enterprise/")
    section = phone_page.locator("#claimable-bookings")
    assert "以贵单位信用代码提交的预约" in section.inner_text()
    assert booking.reference in section.inner_text()
    screenshot(phone_page, f"enterprise-claim-before-{shot}")

    section.get_by_role("button").first.click()
    phone_page.wait_for_url("**/enterprise/")
    assert booking.reference in phone_page.locator(".messages, .messagelist, main").first.inner_text()
    assert phone_page.locator("#claimable-bookings").count() == 0
    screenshot(phone_page, f"enterprise-claim-after-{shot}")

    booking.refresh_from_db()
    assert (booking.enterprise_id, booking.unverified_enterprise_id) == (enterprise.pk, None)
    phone_page.goto("/guidance/mine/")
    assert booking.reference in phone_page.content()


def test_another_enterprise_cannot_claim_it_from_the_page():
    _enterprise, booking = _unverified_booking()
    stranger = Client()
    stranger.force_login(enterprise_user(EnterpriseFactory()))
    assert stranger.post(f"/enterprise/bookings/{booking.pk}/claim/").status_code == 404
    assert booking.reference not in stranger.get("/enterprise/").text
    assert Booking.objects.get(pk=booking.pk).enterprise_id is None

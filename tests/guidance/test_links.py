"""The signed link in the confirmation: opens the booking, reschedules and cancels it with the minimum notice;
cannot be forged, and stops working once the booking is cancelled."""

from datetime import date, timedelta

import pytest
from django.core import signing

from guidance import services
from guidance.models import Booking
from programs.models import AuditEntry
from tests.factories import coordinator

from .factories import BookingFactory, SlotFactory, ThemeFactory

pytestmark = pytest.mark.django_db


def manage_url(booking, suffix=""):
    return f"/guidance/manage/{services.booking_token(booking)}/{suffix}"


def test_the_signed_link_opens_the_booking(client):
    booking = BookingFactory()
    response = client.get(manage_url(booking))
    assert response.status_code == 200
    assert booking.reference in response.text


def test_a_forged_or_altered_link_opens_nothing(client):
    booking = BookingFactory()
    token = services.booking_token(booking)
    forged = signing.dumps({"b": booking.pk, "r": booking.reference}, salt="guessed", compress=True)
    feedback_token = services.booking_token(booking, salt=services.FEEDBACK_SALT)
    for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), forged, feedback_token):
        assert client.get(f"/guidance/manage/{bad}/").status_code == 404
        assert client.post(f"/guidance/manage/{bad}/cancel/", {"reason": "x"}).status_code == 404
    assert Booking.objects.get().status == "requested"


def test_the_link_cancels_with_a_reason_that_the_history_keeps(client):
    booking = BookingFactory()
    response = client.post(manage_url(booking, "cancel/"), {"reason": "店面没租下来", "confirmed": "1"})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert (booking.status, booking.cancel_reason) == ("cancelled", "店面没租下来")
    entry = AuditEntry.objects.get(object_id=booking.pk, new_value="cancelled")
    assert (entry.actor, entry.actor_label, entry.reason) == (None, "signed link", "店面没租下来")


def test_cancelling_through_the_link_needs_a_reason(client):
    booking = BookingFactory()
    response = client.post(manage_url(booking, "cancel/"), {"reason": ""})
    assert response.status_code == 400
    assert response.context["cancel_form"].errors["reason"]
    assert Booking.objects.get().status == "requested"


def test_a_link_cannot_be_used_again_after_cancellation(client):
    theme = ThemeFactory()
    booking = BookingFactory(slot=SlotFactory(themes=[theme]))
    other = SlotFactory(themes=[theme])
    assert client.post(manage_url(booking, "cancel/"), {"reason": "不需要了", "confirmed": "1"}).status_code == 302
    again = client.post(manage_url(booking, "reschedule/"), {"slot": other.pk})
    assert again.status_code == 410
    assert client.post(manage_url(booking, "cancel/"), {"reason": "再取消"}).status_code == 410
    other.refresh_from_db()
    assert other.booked == 0
    assert "reschedule" not in client.get(manage_url(booking)).text


def test_the_link_reschedules_to_a_free_slot(client):
    theme = ThemeFactory()
    booking = BookingFactory(slot=SlotFactory(themes=[theme]))
    other = SlotFactory(themes=[theme], starts_in=timedelta(days=6))
    page = client.get(manage_url(booking))
    assert f'value="{other.pk}"' in page.text
    response = client.post(manage_url(booking, "reschedule/"), {"slot": other.pk, "reason": "出差", "confirmed": "1"})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert (booking.slot_id, booking.time_version) == (other.pk, 2)
    assert client.get(manage_url(booking)).status_code == 200  # the same link still works after a move


def test_within_the_minimum_notice_the_enterprise_cannot_move_the_visit_but_staff_can(client, settings):
    settings.GUIDANCE_MIN_NOTICE_HOURS = 24
    theme = ThemeFactory()
    booking = BookingFactory(slot=SlotFactory(themes=[theme], starts_in=timedelta(hours=20)))
    response = client.post(manage_url(booking, "cancel/"), {"reason": "临时有事", "confirmed": "1"})
    assert response.status_code == 400
    assert "24" in response.text
    assert Booking.objects.get().status == "requested"
    services.booking_cancel(booking=booking, actor=coordinator(), reason="企业来电取消")
    assert Booking.objects.get().status == "cancelled"


def test_the_calendar_file_can_be_downloaded_from_the_link(client):
    booking = BookingFactory()
    response = client.get(manage_url(booking, "visit.ics"))
    assert response["Content-Type"].startswith("text/calendar")
    assert b"BEGIN:VEVENT" in response.content


def test_a_business_without_an_account_sends_rectification_evidence_through_its_link(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from guidance.models import Risk

    from .factories import visit_started

    theme = ThemeFactory()
    booking = BookingFactory(slot=SlotFactory(themes=[theme]))
    other = BookingFactory(slot=SlotFactory(themes=[theme]))
    services.booking_confirm(booking=booking, actor=coordinator())
    booking = visit_started(booking)
    risk = services.risk_record(
        booking=booking, actor=coordinator(), description="排烟口正对居民窗户", deadline=date(2030, 1, 31)
    )
    page = client.get(manage_url(booking), HTTP_ACCEPT_LANGUAGE="zh-hans").text
    assert "evidence_file" in page
    # The heading fits risks rectified too; the deadline in full-width brackets.
    assert "发现风险隐患" in page and "（期限 2030-01-31）" in page
    assert client.post(manage_url(other, f"risks/{risk.pk}/evidence/"), {"evidence_note": "x"}).status_code == 404
    empty = client.post(manage_url(booking, f"risks/{risk.pk}/evidence/"), {"evidence_note": ""})
    assert empty.status_code == 400
    photo = SimpleUploadedFile("roof.jpg", b"\xff\xd8\xff fake jpeg", content_type="image/jpeg")
    sent = client.post(
        manage_url(booking, f"risks/{risk.pk}/evidence/"), {"evidence_note": "已改向屋顶排放", "evidence_file": photo}
    )
    assert sent.status_code == 302
    risk = Risk.objects.get(pk=risk.pk)
    assert (risk.status, risk.evidence_note) == ("submitted", "已改向屋顶排放")
    entry = AuditEntry.objects.get(object_id=risk.pk, content_type__model="risk", new_value="submitted")
    assert (entry.actor, entry.actor_label) == (None, "signed link")

"""Phone bookings (“我打了一个电话就解决了”): a coordinator or officer books for a caller, from the API or the admin,
with the public form's rules, messages and links, recorded as booked by phone by them."""

import re

import pytest
from django.core import mail

from guidance.models import Booking
from programs.models import AuditEntry, Notification
from programs.services import notifications_send_due
from tests.factories import UserFactory, coordinator, officer, region_tree

from .factories import SlotFactory, booking_body

pytestmark = pytest.mark.django_db


def caller(slot, **overrides):
    return {
        **booking_body(slot),
        "not_registered": True,
        "business_name": "周女士的面馆（筹）",
        "contact_email": "zhou@example.cn",
        **overrides,
    }


def test_a_coordinator_books_for_a_caller_and_the_caller_gets_the_same_messages_and_link(api_as, settings):
    slot = SlotFactory()
    staff = coordinator(region=slot.region)
    response = api_as(staff).post("/api/v1/guidance/bookings/", caller(slot), format="json")
    assert response.status_code == 201, response.json()
    booking = Booking.objects.get()
    assert (booking.channel, booking.created_by, booking.business_name) == ("phone", staff, "周女士的面馆（筹）")
    assert response.json()["channel"] == "phone"
    entry = AuditEntry.objects.get(object_id=booking.pk, action="booking.create")
    assert (entry.actor, entry.reason, entry.data["channel"]) == (staff, "电话预约（为来电人代约）", "phone")
    sms = Notification.objects.get(dedupe_key=f"guidance:booking:{booking.pk}:booked:sms")
    assert sms.address == "13800000000" and f"{settings.GUIDANCE_SITE_URL}/guidance/manage/" in sms.body
    notifications_send_due()
    email = next(m for m in mail.outbox if booking.reference in m.subject)
    assert "/guidance/manage/" in email.alternatives[0][0]


def test_an_officer_books_only_in_their_own_area_and_with_the_same_validation(api_as):
    slot = SlotFactory(region=region_tree("330206", "北仑区")["county"])
    staff = officer()  # of 鄞州区
    refused = api_as(staff).post("/api/v1/guidance/bookings/", caller(slot, contact_phone="x"), format="json")
    assert refused.status_code == 400
    fields = refused.json()["error"]["fields"]
    assert {"slot", "contact_phone"} <= set(fields)
    assert not Booking.objects.exists()


def test_a_full_slot_is_full_for_phone_bookings_too(api_as):
    slot = SlotFactory(capacity=1)
    staff = coordinator(region=slot.region)
    assert api_as(staff).post("/api/v1/guidance/bookings/", caller(slot), format="json").status_code == 201
    second = api_as(staff).post("/api/v1/guidance/bookings/", caller(slot, contact_phone="13900000002"), format="json")
    assert second.status_code == 409
    slot.refresh_from_db()
    assert slot.booked == 1


def test_an_organiser_cannot_book_for_a_caller(api_as):
    slot = SlotFactory()
    organiser = UserFactory(role="organiser", region=slot.region)
    assert api_as(organiser).post("/api/v1/guidance/bookings/", caller(slot), format="json").status_code == 403


def admin_post(client, slot, **overrides):
    data = {
        "theme": slot.themes.get().pk,
        "slot": slot.pk,
        "not_registered": "on",
        "business_name": "周女士的面馆（筹）",
        "address": "梅山街道1号",
        "contact_name": "周女士",
        "contact_phone": "13900000001",
        "contact_email": "",
        "needs": "开餐馆要注意什么",
        "consent": "on",
        **overrides,
    }
    return client.post("/admin/guidance/booking/add/", data)


def test_staff_book_for_a_caller_from_the_admin_and_see_every_problem_at_once(client):
    slot = SlotFactory()
    staff = coordinator(region=slot.region)
    client.force_login(staff)
    page = client.get("/admin/guidance/booking/add/")
    assert page.status_code == 200 and "为来电人预约" in page.text
    bad = admin_post(client, slot, contact_name="", contact_phone="12", consent="")
    assert bad.status_code == 400
    assert set(bad.context["form"].errors) == {"contact_name", "contact_phone", "consent"}
    assert 'href="#id_contact_phone_row"' in bad.text
    done = admin_post(client, slot)
    booking = Booking.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/admin/guidance/booking/{booking.pk}/change/"
    assert (booking.channel, booking.created_by) == ("phone", staff)
    assert Notification.objects.filter(dedupe_key=f"guidance:booking:{booking.pk}:booked:sms").exists()
    assert re.search("电话预约", client.get(done["Location"]).text)


def test_the_admin_offers_no_phone_booking_to_an_organiser(client):
    slot = SlotFactory()
    client.force_login(UserFactory(role="organiser", region=slot.region))
    assert client.get("/admin/guidance/booking/add/").status_code == 403

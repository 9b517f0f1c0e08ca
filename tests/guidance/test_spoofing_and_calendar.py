"""Issue 13: what a stranger types never makes a calendar property, and a stranger's booking with a registered
enterprise's credit code is not the enterprise's own until one of its users claims it."""

import base64

import pytest
from icalendar import Calendar

from guidance import services
from guidance.models import Booking
from programs.models import Notification
from tests.factories import EnterpriseFactory, coordinator, enterprise_user

from .factories import BookingFactory, SlotFactory

pytestmark = pytest.mark.django_db

INJECTED = "周女士\r\nATTENDEE:mailto:evil@example"


def _events(ics: bytes) -> list:
    return Calendar.from_ical(ics).walk("VEVENT")


def test_a_line_break_in_a_booking_field_makes_no_calendar_property(client):
    booking = BookingFactory(contact_name=INJECTED, business_name="面馆\nORGANIZER:mailto:evil@example", needs=INJECTED)
    link = client.get(f"/guidance/manage/{services.booking_token(booking)}/visit.ics")
    for ics in (services.booking_ical(booking), link.content):
        assert b"\r\nATTENDEE" not in ics and b"\nORGANIZER" not in ics
        [event] = _events(ics)
        assert event.get("ATTENDEE") is None and event.get("ORGANIZER") is None
        description = str(event["DESCRIPTION"])
        assert "ATTENDEE:mailto:evil@example" in description
        assert "ORGANIZER:mailto:evil@example" in description
        assert booking.theme.title in str(event["SUMMARY"])
        assert all(len(line) <= 75 for line in ics.split(b"\r\n"))  # folded by the library


def test_the_calendar_attachment_of_the_confirmation_is_escaped_too():
    BookingFactory(contact_name=INJECTED)
    from_email = Notification.objects.filter(dedupe_key__endswith=":booked:email").get()
    [sent] = from_email.attachments
    assert sent["filename"] == "visit.ics"
    [event] = _events(base64.b64decode(sent["content_base64"]))
    assert event.get("ATTENDEE") is None
    assert "ATTENDEE:mailto:evil@example" in str(event["DESCRIPTION"])


def test_an_anonymous_booking_with_a_registered_credit_code_stays_unverified_until_claimed(client, api_as):
    enterprise = EnterpriseFactory()
    owner, colleague = enterprise_user(enterprise), enterprise_user(enterprise)
    booking = BookingFactory(slot=SlotFactory(), not_registered=False, credit_code=enterprise.credit_code)
    assert (booking.enterprise, booking.unverified_enterprise) == (None, enterprise)
    # The enterprise's users are told in the app, without the stranger's contact.
    for user in (owner, colleague):
        notice = Notification.objects.get(recipient=user, dedupe_key__contains=":unverified")
        assert booking.reference in notice.subject and booking.contact_phone not in notice.body
    api = api_as(owner)
    assert api.get("/api/v1/guidance/bookings/").json()["results"] == []
    assert api.get(f"/api/v1/guidance/bookings/{booking.pk}/").status_code == 404
    client.force_login(owner)
    assert booking.reference not in client.get("/guidance/mine/").text
    # Staff see it, marked.
    staff = api_as(coordinator()).get(f"/api/v1/guidance/bookings/{booking.pk}/").json()
    assert (staff["enterprise"], staff["unverified_enterprise"]) == (None, enterprise.pk)

    claimed = api.post(f"/api/v1/guidance/bookings/{booking.pk}/claim/")
    assert claimed.status_code == 200, claimed.content
    assert (claimed.json()["enterprise"], claimed.json()["unverified_enterprise"]) == (enterprise.pk, None)
    assert [b["reference"] for b in api.get("/api/v1/guidance/bookings/").json()["results"]] == [booking.reference]
    assert booking.reference in client.get("/guidance/mine/").text


def test_another_enterprise_cannot_claim_a_booking_made_with_someone_elses_code(api_as):
    enterprise = EnterpriseFactory()
    booking = BookingFactory(slot=SlotFactory(), not_registered=False, credit_code=enterprise.credit_code)
    stranger = api_as(enterprise_user(EnterpriseFactory()))
    assert stranger.post(f"/api/v1/guidance/bookings/{booking.pk}/claim/").status_code == 404
    assert api_as(coordinator()).post(f"/api/v1/guidance/bookings/{booking.pk}/claim/").status_code == 403
    assert Booking.objects.get(pk=booking.pk).enterprise is None


def test_a_booking_made_signed_in_as_the_enterprise_is_its_own_at_once(api_as):
    enterprise = EnterpriseFactory()
    user = enterprise_user(enterprise)
    booking = BookingFactory(slot=SlotFactory(), not_registered=False, actor=user)
    assert (booking.enterprise, booking.unverified_enterprise) == (enterprise, None)
    assert not Notification.objects.filter(dedupe_key__contains=":unverified").exists()

"""The booking page as a new business meets it on a phone: every problem named at once under a summary that
links to each field; the times of its own district, with their weekday; moving and cancelling through the
emailed link ask for confirmation and say what happened; a cancelled visit offers no calendar file; the
emails are HTML with a plain-text alternative, the district office's contact and the links."""

import re

import pytest
from django.core import mail
from django.test import Client

from guidance.models import Booking, Office
from guidance.services import booking_key_prefix, booking_token
from programs.models import Notification
from programs.services import notifications_send_due
from tests.factories import region_tree

from .factories import BookingFactory, SlotFactory, ThemeFactory
from .test_form import form_data

pytestmark = pytest.mark.django_db


def beilun():
    return region_tree("330206", "北仑区")["county"]


def test_an_empty_submit_names_every_problem_at_once_in_a_summary_linking_to_each_field(client):
    slot = SlotFactory()
    data = {"submission_key": form_data(slot)["submission_key"], "district": str(slot.region.pk)}
    response = client.post(f"/guidance/book/{slot.themes.get().code}/", data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) >= {"slot", "credit_code", "business_name", "contact_name", "contact_phone", "consent"}
    summary = re.search(r'<div class="error-summary.*?</div>', response.text, re.S).group(0)
    for field in ("slot", "credit_code", "contact_name", "contact_phone", "consent"):
        assert f'href="#id_{field}_field"' in summary, field
        assert f'id="id_{field}_field"' in response.text
    assert "请更正以下" in summary


def test_the_times_are_those_of_the_chosen_district_with_their_weekday(client):
    theme = ThemeFactory()
    yinzhou = SlotFactory(themes=[theme])
    north = SlotFactory(themes=[theme], region=beilun())
    page = client.get(f"/guidance/book/{theme.code}/?district={north.region.pk}")
    assert f'name="slot" value="{north.pk}"' in page.text and f'name="slot" value="{yinzhou.pk}"' not in page.text
    weekday = "一二三四五六日"[north.starts_at.astimezone().weekday()]
    assert re.search(rf"\d+月\d+日 周{weekday} \d\d:\d\d–\d\d:\d\d", page.text)
    # No district yet: the address names one, and its times are the ones shown.
    data = form_data(north, district="", address="宁波市北仑区新碶街道明州路1号", contact_phone="")
    again = client.post(f"/guidance/book/{theme.code}/", data)
    assert again.context["district"] == north.region
    assert f'name="slot" value="{north.pk}"' in again.text
    assert f'name="slot" value="{yinzhou.pk}"' not in again.text


def test_the_district_button_shows_its_times_without_sending_the_form(client):
    theme = ThemeFactory()
    north = SlotFactory(themes=[theme], region=beilun())
    SlotFactory(themes=[theme])
    data = {**form_data(north, contact_name=""), "district": str(north.region.pk), "show_district": "1"}
    response = client.post(f"/guidance/book/{theme.code}/", data)
    assert response.status_code == 200 and not response.context["form"].errors
    assert f'name="slot" value="{north.pk}"' in response.text
    assert not Booking.objects.exists()


def manage(booking, suffix=""):
    return f"/guidance/manage/{booking_token(booking)}/{suffix}"


def test_a_reschedule_through_the_link_asks_for_confirmation_then_says_it_is_done():
    client = Client()
    theme = ThemeFactory()
    booking = BookingFactory(slot=SlotFactory(themes=[theme]))
    other = SlotFactory(themes=[theme])
    asked = client.post(manage(booking, "reschedule/"), {"slot": other.pk, "reason": "出差"})
    assert asked.status_code == 200 and "确认改约" in asked.text
    booking.refresh_from_db()
    assert booking.slot_id != other.pk
    done = client.post(
        manage(booking, "reschedule/"), {"slot": other.pk, "reason": "出差", "confirmed": "1"}, follow=True
    )
    booking.refresh_from_db()
    assert booking.slot_id == other.pk
    assert "已改约至" in done.text


def test_a_cancellation_asks_for_confirmation_and_then_offers_no_calendar_file():
    client = Client()
    booking = BookingFactory()
    asked = client.post(manage(booking, "cancel/"), {"reason": "店面没租下来"})
    assert asked.status_code == 200 and "确认取消" in asked.text
    booking.refresh_from_db()
    assert booking.status == Booking.Status.REQUESTED
    done = client.post(manage(booking, "cancel/"), {"reason": "店面没租下来", "confirmed": "1"}, follow=True)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert f"预约 {booking.reference} 已取消" in done.text
    assert "visit.ics" not in done.text
    assert client.get(manage(booking, "visit.ics")).status_code == 410
    notifications_send_due()
    cancelled = [m for m in mail.outbox if "取消" in m.subject]
    assert cancelled and not cancelled[0].attachments


def test_the_confirmation_email_is_html_with_text_and_carries_the_district_office_and_the_link(settings):
    slot = SlotFactory(region=beilun())
    Office.objects.create(
        region=slot.region, name="北仑区综合行政执法局", address="北仑区明州路1号", phone="0574-86780000"
    )
    booking = BookingFactory(slot=slot)
    notifications_send_due()
    email = next(m for m in mail.outbox if booking.reference in m.subject)
    html, mimetype = email.alternatives[0]
    assert mimetype == "text/html"
    for body in (email.body, html):
        assert "北仑区综合行政执法局" in body and "0574-86780000" in body and "北仑区明州路1号" in body
        assert f"{settings.GUIDANCE_SITE_URL}/guidance/manage/" in body
        assert re.search(r"\d+年\d+月\d+日 周.", body)
    assert email.attachments[0][0] == "visit.ics"


def test_without_an_office_of_its_own_a_district_uses_the_sites(settings):
    settings.SITE_OFFICE_NAME, settings.SITE_OFFICE_PHONE = "政务服务中心", "12345"
    booking = BookingFactory()
    notifications_send_due()
    email = next(m for m in mail.outbox if booking.reference in m.subject)
    assert "政务服务中心" in email.alternatives[0][0] and "12345" in email.body


def test_reminders_are_html_emails_too():
    booking = BookingFactory()
    reminder = Notification.objects.get(dedupe_key=f"{booking_key_prefix(booking)}reminder-24h:email")
    assert "<html" in reminder.html_body and "/guidance/manage/" in reminder.body

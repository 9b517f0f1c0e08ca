"""Confirmation with a calendar file, and reminders a day and two hours before, exactly once, in Shanghai time;
a cancelled booking gets none, a moved one only its new time's."""

from datetime import datetime, time, timedelta

import icalendar
import pytest
from django.core import mail
from django.utils import timezone

from guidance import services
from guidance.models import Slot
from programs.models import Notification
from programs.services import notifications_send_due
from tests.factories import coordinator, officer

from .factories import BookingFactory, SlotFactory, ThemeFactory

pytestmark = pytest.mark.django_db


def slot_at_nine(theme, days_ahead=5, **kw):
    slot = SlotFactory(themes=[theme], **kw)
    starts = timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=days_ahead), time(9, 0)))
    Slot.objects.filter(pk=slot.pk).update(starts_at=starts, ends_at=starts + timedelta(hours=2))
    slot.refresh_from_db()
    return slot


def sent_keys():
    return [m.extra_headers["X-Notification-Key"] for m in mail.outbox]


def test_reminders_are_due_a_day_and_two_hours_before_the_visit_in_shanghai_time():
    booking = BookingFactory(slot=slot_at_nine(ThemeFactory()))
    prefix = services.booking_key_prefix(booking)
    day_before = Notification.objects.get(dedupe_key=f"{prefix}reminder-24h:email").due_at
    two_hours = Notification.objects.get(dedupe_key=f"{prefix}reminder-2h:sms").due_at
    visit_day = timezone.localdate() + timedelta(days=5)
    assert timezone.localtime(day_before).strftime("%H:%M") == "09:00"
    assert timezone.localtime(day_before).date() == visit_day - timedelta(days=1)
    assert timezone.localtime(two_hours).strftime("%H:%M") == "07:00"
    assert timezone.localtime(two_hours).date() == visit_day
    assert str(timezone.localtime(two_hours).tzinfo) == "Asia/Shanghai"


def test_the_confirmation_email_carries_the_visit_as_a_calendar_file_and_the_manage_link():
    booking = BookingFactory(slot=slot_at_nine(ThemeFactory()))
    notifications_send_due()
    confirmation = next(m for m in mail.outbox if m.extra_headers["X-Notification-Key"].endswith(":booked:email"))
    assert confirmation.to == ["zhou@example.cn"]
    assert booking.reference in confirmation.subject
    assert "/guidance/manage/" in confirmation.body
    filename, content, mimetype = confirmation.attachments[0]
    assert (filename, mimetype) == ("visit.ics", "text/calendar")
    event = icalendar.Calendar.from_ical(content).walk("VEVENT")[0]
    assert event.decoded("dtstart") == booking.slot.starts_at
    assert str(event["uid"]).startswith(booking.reference)


def test_reminders_are_sent_once_however_often_they_are_scheduled_or_swept():
    booking = BookingFactory(slot=slot_at_nine(ThemeFactory()))
    services.booking_confirm(booking=booking, actor=coordinator())  # schedules the reminders again
    later = booking.slot.starts_at - timedelta(hours=1)
    notifications_send_due(now=later)
    notifications_send_due(now=later)
    reminders = [k for k in sent_keys() if ":reminder-" in k]
    assert sorted(reminders) == sorted(
        f"{services.booking_key_prefix(booking)}reminder-{label}:email" for label in ("24h", "2h")
    )


def test_a_cancelled_booking_gets_no_reminder():
    booking = BookingFactory(slot=slot_at_nine(ThemeFactory()))
    services.booking_cancel(booking=booking, actor=coordinator(), reason="企业停业装修")
    notifications_send_due(now=booking.slot.starts_at)
    keys = sent_keys()
    assert not [k for k in keys if ":reminder-" in k]
    assert f"guidance:booking:{booking.pk}:cancelled:email" in keys


def test_a_moved_booking_is_reminded_of_its_new_time_only():
    theme = ThemeFactory()
    booking = BookingFactory(slot=slot_at_nine(theme, days_ahead=5))
    later_slot = slot_at_nine(theme, days_ahead=9)
    moved = services.booking_reschedule(booking=booking, slot=later_slot, actor=None, reason="出差")
    notifications_send_due(now=later_slot.starts_at)
    reminders = [k for k in sent_keys() if ":reminder-" in k]
    assert reminders and all(k.startswith(f"guidance:booking:{booking.pk}:v2:") for k in reminders)
    assert Notification.objects.filter(dedupe_key__contains=":v1:reminder-", status="cancelled").count() == 4
    moved_mail = next(m for m in mail.outbox if ":v2:moved:email" in m.extra_headers["X-Notification-Key"])
    event = icalendar.Calendar.from_ical(moved_mail.attachments[0][1]).walk("VEVENT")[0]
    assert (event.decoded("dtstart"), event["sequence"]) == (moved.slot.starts_at, 2)


def test_assigned_officers_are_reminded_too_in_the_app():
    booking = BookingFactory(slot=slot_at_nine(ThemeFactory()))
    inspector = officer()
    services.booking_confirm(booking=booking, actor=coordinator(), officers=[inspector])
    prefix = services.booking_key_prefix(booking)
    reminder = Notification.objects.get(dedupe_key=f"{prefix}reminder-2h:officer-{inspector.pk}")
    assert (reminder.channel, reminder.recipient) == ("in_app", inspector)
    assert reminder.due_at == booking.slot.starts_at - timedelta(hours=2)


def test_a_visit_booked_for_tomorrow_morning_skips_the_reminder_that_is_already_past():
    theme = ThemeFactory()
    slot = SlotFactory(themes=[theme], starts_in=timedelta(hours=5))
    booking = BookingFactory(slot=slot)
    prefix = services.booking_key_prefix(booking)
    assert not Notification.objects.filter(dedupe_key__startswith=f"{prefix}reminder-24h").exists()
    assert Notification.objects.filter(dedupe_key=f"{prefix}reminder-2h:email").exists()

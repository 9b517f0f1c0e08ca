"""What a booking tells people, through the core's fan-out (``programs.notify``): the business's contact and
users, and the assigned officers, each message once per key, with the visit as a calendar file where it helps.

Reminders are outbox rows keyed ``guidance:booking:<id>:v<time version>:…``; a reschedule bumps the version
and cancels the old prefix."""

import base64
from datetime import datetime, timedelta

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from programs.notify import notify_enterprise, notify_user

from ..formatting import visit_period
from ..models import Booking, Mode
from ..selectors import office_for
from .links import booking_manage_url

REMINDERS = (("24h", timedelta(hours=24)), ("2h", timedelta(hours=2)))


def booking_key_prefix(booking: Booking, *, version: int | None = None) -> str:
    """The outbox key prefix of one booking's messages for one time of the visit."""
    return f"guidance:booking:{booking.pk}:v{version or booking.time_version}:"


def booking_ical(booking: Booking) -> bytes:
    """The visit as an iCalendar event; SEQUENCE follows the time version so calendars replace a moved visit."""
    calendar = Calendar()
    calendar.add("prodid", "-//Zhejiang programs//guidance//ZH")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if booking.status == Booking.Status.CANCELLED else "PUBLISH")
    event = Event()
    event.add("uid", f"{booking.reference}@guidance.programs")
    event.add("sequence", booking.time_version)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", booking.slot.starts_at)
    event.add("dtend", booking.slot.ends_at)
    event.add("summary", _("Guidance visit: %(theme)s") % {"theme": booking.theme.title})
    # Every text goes in through icalendar, which escapes line breaks and folds lines: no typed field makes a property.
    event.add(
        "description",
        _("Reference %(ref)s. %(business)s, contact %(contact)s. %(needs)s")
        % {
            "ref": booking.reference,
            "business": booking.business_name,
            "contact": booking.contact_name,
            "needs": booking.needs,
        },
    )
    event.add("location", booking.address if booking.mode == Mode.ONSITE else str(Mode.ONLINE.label))
    if booking.status == Booking.Status.CANCELLED:
        event.add("status", "CANCELLED")
    calendar.add_component(event)
    return calendar.to_ical()


def ical_attachment(booking: Booking) -> list[dict]:
    return [
        {
            "filename": "visit.ics",
            "content_base64": base64.b64encode(booking_ical(booking)).decode(),
            "mimetype": "text/calendar",
        }
    ]


def visit_time(booking: Booking) -> str:
    """ "2026年12月3日 周四 09:00–10:00" (in the reader's language)."""
    return visit_period(booking.slot.starts_at, booking.slot.ends_at, year=True)


def email_parts(*, subject: str, body: str, rows, links, region) -> tuple[str, str]:
    """An email to a business: (plain text, HTML): the message, its details (``rows`` of label and value), the
    links, and the office to call (the district's, configurable per region)."""
    context = {"subject": subject, "body": body, "rows": rows, "links": links, "office": office_for(region)}
    return (
        render_to_string("guidance/email/message.txt", context),
        render_to_string("guidance/email/message.html", context),
    )


def booker_email(booking: Booking, *, subject: str, body: str, links: list[tuple[str, str]]) -> tuple[str, str]:
    rows = [
        (_("Reference"), booking.reference),
        (_("Theme"), booking.theme.title),
        (_("Time"), visit_time(booking)),
        (_("Mode"), booking.get_mode_display()),
        *([(_("Address"), booking.address)] if booking.address else []),
        (_("Status"), booking.get_status_display()),
    ]
    return email_parts(subject=subject, body=body, rows=rows, links=links, region=booking.region)


def booker_links(booking: Booking) -> list[tuple[str, str]]:
    """What the business can do from the message: manage an open booking, or book again."""
    if booking.is_open:
        return [(_("See, reschedule or cancel your booking"), booking_manage_url(booking))]
    return [(_("Book another visit"), settings.GUIDANCE_SITE_URL + reverse("guidance:index"))]


def notify_booker(
    booking: Booking,
    *,
    key: str,
    subject: str,
    body: str,
    due_at: datetime | None = None,
    ical: bool = False,
    sms_text: str = "",
) -> None:
    """The business that booked: its contact by email (HTML with a plain-text alternative, the office's contact
    and the links; the calendar file when asked and the booking is still open) and SMS (the subject unless
    ``sms_text``), and the users of its enterprise in the app."""
    text, html = booker_email(booking, subject=subject, body=body, links=booker_links(booking))
    notify_enterprise(
        enterprise_id=booking.enterprise_id,
        key=key,
        subject=subject,
        body=text,
        html_body=html,
        due_at=due_at,
        email=booking.contact_email,
        phone=booking.contact_phone,
        sms_text=sms_text,
        attachments=ical_attachment(booking) if ical and booking.is_open else None,
    )


def notify_officers(booking: Booking, *, key: str, subject: str, body: str, due_at: datetime | None = None) -> None:
    """Each officer assigned to the visit, with the calendar file (key ``<key>:officer-<id>``)."""
    calendar = ical_attachment(booking)
    for officer in booking.officers.all():
        notify_user(
            user=officer,
            key=f"{key}:officer-{officer.pk}",
            subject=subject,
            body=body,
            due_at=due_at,
            attachments=calendar,
        )


def schedule_reminders(booking: Booking, *, now: datetime | None = None) -> None:
    """A day and two hours before the visit, to the business and the assigned officers; past ones skipped."""
    now = now or timezone.now()
    prefix = booking_key_prefix(booking)
    for label, before in REMINDERS:
        due = booking.slot.starts_at - before
        if due <= now:
            continue
        subject = _("Reminder: guidance visit %(ref)s on %(when)s") % {
            "ref": booking.reference,
            "when": visit_time(booking),
        }
        body = _("Your guidance visit for “%(theme)s” (%(mode)s) is on %(when)s.") % {
            "theme": booking.theme.title,
            "mode": booking.get_mode_display(),
            "when": visit_time(booking),
        }
        sms = _("Reminder: guidance visit %(ref)s on %(when)s. Reschedule or cancel: %(url)s") % {
            "ref": booking.reference,
            "when": visit_time(booking),
            "url": booking_manage_url(booking),
        }
        notify_booker(booking, key=f"{prefix}reminder-{label}", subject=subject, body=body, sms_text=sms, due_at=due)
        officer_body = _("%(business)s, %(theme)s, %(mode)s, %(address)s") % {
            "business": booking.business_name,
            "theme": booking.theme.title,
            "mode": booking.get_mode_display(),
            "address": booking.address,
        }
        notify_officers(booking, key=f"{prefix}reminder-{label}", subject=subject, body=officer_body, due_at=due)

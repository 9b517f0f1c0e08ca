"""Writes of the guidance app. The public form, the REST API, the admin and the tasks all call these.

Capacity: a place is taken with ``UPDATE slot SET booked = booked + 1 WHERE id = … AND booked < capacity``
and the ``booked <= capacity`` check constraint backs it, so no interleaving of requests can overbook a slot.
Reminders are outbox rows keyed ``guidance:booking:<id>:v<time version>:…``; a reschedule bumps the version
and cancels the old prefix.

Nothing here reads or writes ``Enterprise.grade``: guidance is a service, never enforcement.
"""

import base64
import re
import secrets
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from inspections.models import InspectionItem
from programs.models import AuditEntry, Department, Enterprise, Notification, Region, User
from programs.selectors import is_staff_role
from programs.services import (
    TransitionError,
    audit_history,
    audit_record,
    notification_schedule,
    notification_schedule_for_user,
    notifications_cancel,
    transition,
)
from programs.validators import normalize_credit_code, validate_credit_code

from .models import BOOKING_MOVES, RISK_MOVES, Advice, Booking, Mode, Risk, Slot, SlotTemplate, Theme

SIGNED_LINK = "signed link"
SLOT_FULL = "slot_full"
MANAGE_SALT = "guidance.booking.manage"
FEEDBACK_SALT = "guidance.booking.feedback"
PHONE_RE = re.compile(r"^\+?[0-9][0-9\- ]{6,19}$")
REMINDERS = (("24h", timedelta(hours=24)), ("2h", timedelta(hours=2)))


# --- Keys, links, calendar ------------------------------------------------------------------------------


def booking_key_prefix(booking: Booking, *, version: int | None = None) -> str:
    """The outbox key prefix of one booking's messages for one time of the visit."""
    return f"guidance:booking:{booking.pk}:v{version or booking.time_version}:"


def booking_token(booking: Booking, *, salt: str = MANAGE_SALT) -> str:
    return signing.dumps({"b": booking.pk, "r": booking.reference}, salt=salt, compress=True)


def booking_from_token(token: str, *, salt: str = MANAGE_SALT) -> Booking:
    """The booking a signed link points to; ``signing.BadSignature`` for a forged, altered or expired one."""
    data = signing.loads(token, salt=salt, max_age=timedelta(days=settings.GUIDANCE_LINK_MAX_AGE_DAYS))
    booking = Booking.objects.select_related("theme", "slot", "region", "enterprise").filter(pk=data["b"]).first()
    if booking is None or booking.reference != data["r"]:
        raise signing.BadSignature("no such booking")
    return booking


def booking_manage_url(booking: Booking) -> str:
    return settings.GUIDANCE_SITE_URL + reverse("guidance:manage", args=[booking_token(booking)])


def booking_feedback_url(booking: Booking) -> str:
    return settings.GUIDANCE_SITE_URL + reverse("guidance:feedback", args=[booking_token(booking, salt=FEEDBACK_SALT)])


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
    event.add("description", _("Reference %(ref)s. %(needs)s") % {"ref": booking.reference, "needs": booking.needs})
    event.add("location", booking.address if booking.mode == Mode.ONSITE else str(Mode.ONLINE.label))
    if booking.status == Booking.Status.CANCELLED:
        event.add("status", "CANCELLED")
    calendar.add_component(event)
    return calendar.to_ical()


def _ical_attachment(booking: Booking) -> list[dict]:
    return [
        {
            "filename": "visit.ics",
            "content_base64": base64.b64encode(booking_ical(booking)).decode(),
            "mimetype": "text/calendar",
        }
    ]


def _when(booking: Booking) -> str:
    start, end = timezone.localtime(booking.slot.starts_at), timezone.localtime(booking.slot.ends_at)
    return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}"


# --- Notifications --------------------------------------------------------------------------------------


def _tell_enterprise(booking: Booking, *, key: str, subject: str, body: str, due_at=None, ical=False) -> None:
    """Email (with the calendar file when asked) and SMS to the booking's contact, once per key."""
    if booking.contact_email:
        notification_schedule(
            dedupe_key=f"{key}:email",
            channel=Notification.Channel.EMAIL,
            address=booking.contact_email,
            subject=subject,
            body=body,
            due_at=due_at,
            attachments=_ical_attachment(booking) if ical else None,
        )
    if booking.contact_phone:
        notification_schedule(
            dedupe_key=f"{key}:sms",
            channel=Notification.Channel.SMS,
            address=booking.contact_phone,
            subject=subject,
            body=subject,
            due_at=due_at,
        )
    for user in (
        User.objects.filter(enterprise_id=booking.enterprise_id, is_active=True) if booking.enterprise_id else ()
    ):
        notification_schedule(
            dedupe_key=f"{key}:user-{user.pk}",
            channel=Notification.Channel.IN_APP,
            recipient=user,
            subject=subject,
            body=body,
            due_at=due_at,
        )


def _tell_officers(booking: Booking, *, key: str, subject: str, body: str, due_at=None) -> None:
    calendar = _ical_attachment(booking)
    for officer in booking.officers.all():
        notification_schedule_for_user(
            user=officer,
            dedupe_key=f"{key}:officer-{officer.pk}",
            subject=subject,
            body=body,
            due_at=due_at,
            attachments=calendar,
        )


def _schedule_reminders(booking: Booking, *, now: datetime | None = None) -> None:
    """A day and two hours before the visit, to the enterprise and the assigned officers; past ones skipped."""
    now = now or timezone.now()
    prefix = booking_key_prefix(booking)
    for label, before in REMINDERS:
        due = booking.slot.starts_at - before
        if due <= now:
            continue
        subject = _("Reminder: guidance visit %(ref)s on %(when)s") % {"ref": booking.reference, "when": _when(booking)}
        body = _("%(theme)s, %(mode)s. Reschedule or cancel: %(url)s") % {
            "theme": booking.theme.title,
            "mode": booking.get_mode_display(),
            "url": booking_manage_url(booking),
        }
        _tell_enterprise(booking, key=f"{prefix}reminder-{label}", subject=subject, body=body, due_at=due)
        officer_body = _("%(business)s, %(theme)s, %(mode)s, %(address)s") % {
            "business": booking.business_name,
            "theme": booking.theme.title,
            "mode": booking.get_mode_display(),
            "address": booking.address,
        }
        _tell_officers(booking, key=f"{prefix}reminder-{label}", subject=subject, body=officer_body, due_at=due)


# --- Slots --------------------------------------------------------------------------------------------


def _slot_take(slot_id: int) -> bool:
    """Take one place, if one is free, in a single conditional UPDATE: the database decides, not Python."""
    return (
        Slot.objects.filter(pk=slot_id, booked__lt=F("capacity"), is_withdrawn=False).update(booked=F("booked") + 1)
        == 1
    )


def _slot_full() -> ValidationError:
    return ValidationError({"slot": ValidationError(_("This slot is full; please choose another."), code=SLOT_FULL)})


def is_slot_full(exc: ValidationError) -> bool:
    return any(error.code == SLOT_FULL for error in getattr(exc, "error_dict", {}).get("slot", []))


def _slot_release(slot_id: int) -> None:
    Slot.objects.filter(pk=slot_id, booked__gt=0).update(booked=F("booked") - 1)


def slot_publish(
    *,
    starts_at: datetime,
    ends_at: datetime,
    mode: str,
    capacity: int,
    region: Region,
    themes: Iterable[Theme],
    actor: User | None,
    template: SlotTemplate | None = None,
) -> Slot:
    slot = Slot(starts_at=starts_at, ends_at=ends_at, mode=mode, capacity=capacity, region=region, template=template)
    slot.full_clean(exclude=["template"] if template is None else None)
    themes = list(themes)
    if not themes:
        raise ValidationError({"themes": _("Choose at least one theme.")})
    with transaction.atomic():
        slot.save()
        slot.themes.set(themes)
    return slot


def slot_withdraw(*, slot: Slot, actor: User, reason: str) -> int:
    """Withdraw a published slot (the office cannot come after all): no new bookings, and every open booking
    in it is cancelled with the reason, which the enterprises are told. Returns how many were cancelled."""
    if not reason.strip():
        raise ValidationError({"reason": [_("Give a reason for this change.")]})
    with transaction.atomic():
        if not Slot.objects.filter(pk=slot.pk, is_withdrawn=False).update(is_withdrawn=True):
            return 0
        audit_record(obj=slot, field="withdrawn", old="", new="withdrawn", actor=actor, reason=reason)
        open_bookings = Booking.objects.filter(
            slot=slot, status__in=[Booking.Status.REQUESTED, Booking.Status.CONFIRMED]
        )
        cancelled = 0
        for booking in open_bookings:
            booking_cancel(
                booking=booking,
                actor=actor,
                reason=_("The office withdrew this time: %(reason)s Please book another time.") % {"reason": reason},
            )
            cancelled += 1
    return cancelled


def slots_generate(*, today: date | None = None, weeks: int | None = None) -> int:
    """Turn the active weekly templates into slots for the coming weeks. Idempotent: one slot per template and
    start (a unique constraint), so running it again, or twice at once, creates nothing new."""
    now = timezone.now()
    today = today or timezone.localdate()
    weeks = settings.GUIDANCE_SLOT_WEEKS_AHEAD if weeks is None else weeks
    created = 0
    templates = SlotTemplate.objects.filter(is_active=True).prefetch_related("themes")
    for template in templates:
        themes = list(template.themes.all())
        first = today + timedelta(days=(template.weekday - today.weekday()) % 7)
        for week in range(weeks):
            day = first + timedelta(weeks=week)
            starts_at = timezone.make_aware(datetime.combine(day, template.start_time))
            if starts_at <= now:
                continue
            if Slot.objects.filter(template=template, starts_at=starts_at).exists():
                continue
            try:
                with transaction.atomic():
                    slot = Slot.objects.create(
                        template=template,
                        starts_at=starts_at,
                        ends_at=timezone.make_aware(datetime.combine(day, template.end_time)),
                        mode=template.mode,
                        capacity=template.capacity,
                        region=template.region,
                    )
                    slot.themes.set(themes)
            except IntegrityError:  # another run made it a moment ago
                continue
            created += 1
    return created


# --- Bookings -------------------------------------------------------------------------------------------


def _new_reference() -> str:
    return f"G{timezone.localdate():%y%m%d}-{secrets.token_hex(3).upper()}"


def _check_slot_fits(*, theme: Theme, slot: Slot, mode: str, errors: dict, now: datetime) -> None:
    if mode not in theme.modes:
        errors.setdefault("mode", []).append(_("This theme is not offered in that mode."))
    if slot.is_withdrawn or slot.starts_at <= now:
        errors.setdefault("slot", []).append(_("This slot is no longer open; please choose another."))
    elif not slot.themes.filter(pk=theme.pk).exists():
        errors.setdefault("slot", []).append(_("This slot is not for the chosen theme."))
    elif slot.mode != mode:
        errors.setdefault("slot", []).append(_("This slot is for another mode (online / on site)."))


def booking_create(
    *,
    theme: Theme,
    slot: Slot,
    mode: str,
    business_name: str = "",
    credit_code: str = "",
    not_registered: bool = False,
    contact_name: str,
    contact_phone: str,
    contact_email: str = "",
    address: str = "",
    needs: str = "",
    consent: bool,
    actor: User | None,
    submission_key: str | None = None,
) -> Booking:
    """Book a place. Every bad field is reported at once, named; a full slot answers ``slot_full``.

    ``submission_key`` (the form's one-time key, or the API's idempotency) makes a double submit one booking.
    """
    now = timezone.now()
    if submission_key:
        existing = Booking.objects.filter(submission_key=submission_key).first()
        if existing is not None:
            return existing
    errors: dict[str, list] = {}
    enterprise = None
    if actor is not None and actor.is_authenticated and actor.role == User.Role.ENTERPRISE and actor.enterprise_id:
        enterprise = actor.enterprise
        business_name = business_name or enterprise.name
        credit_code = enterprise.credit_code or ""
    elif not_registered:
        credit_code = ""
    else:
        credit_code = normalize_credit_code(credit_code or "")
        if not credit_code:
            errors.setdefault("credit_code", []).append(
                _("Give the unified social credit code, or tick “not registered yet”.")
            )
        else:
            try:
                validate_credit_code(credit_code)
            except ValidationError as exc:
                errors.setdefault("credit_code", []).extend(exc.messages)
            else:
                enterprise = Enterprise.objects.filter(credit_code=credit_code).first()
                business_name = business_name or (enterprise.name if enterprise else "")
    if not business_name.strip():
        errors.setdefault("business_name", []).append(_("Give the name of the business."))
    if not contact_name.strip():
        errors.setdefault("contact_name", []).append(_("Give the name of a contact person."))
    if not PHONE_RE.match(contact_phone.strip()):
        errors.setdefault("contact_phone", []).append(_("Give a phone number we can call or text."))
    if contact_email:
        try:
            validate_email(contact_email)
        except ValidationError:
            errors.setdefault("contact_email", []).append(_("Give a valid email address, or leave it empty."))
    if mode == Mode.ONSITE and not address.strip():
        errors.setdefault("address", []).append(_("An on-site visit needs the address to come to."))
    if not consent:
        errors.setdefault("consent", []).append(
            _("Please agree that the offices may use these details to arrange the visit.")
        )
    if not theme.is_active:
        errors.setdefault("theme", []).append(_("This theme is not offered any more."))
    _check_slot_fits(theme=theme, slot=slot, mode=mode, errors=errors, now=now)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            if not _slot_take(slot.pk):
                raise _slot_full()
            booking = Booking.objects.create(
                reference=_new_reference(),
                theme=theme,
                slot=slot,
                region=slot.region,
                mode=mode,
                enterprise=enterprise,
                business_name=business_name.strip(),
                credit_code=credit_code,
                contact_name=contact_name.strip(),
                contact_phone=contact_phone.strip(),
                contact_email=contact_email.strip(),
                address=address.strip(),
                needs=needs.strip(),
                consent_at=now,
                submission_key=submission_key or None,
                created_by=actor if actor is not None and actor.is_authenticated else None,
            )
            booking.slot = Slot.objects.get(pk=slot.pk)
            audit_record(obj=booking, old="", new=booking.status, actor=actor, reason=_("Booked"))
            _tell_enterprise(
                booking,
                key=f"guidance:booking:{booking.pk}:booked",
                subject=_("Guidance booking %(ref)s received: %(when)s")
                % {"ref": booking.reference, "when": _when(booking)},
                body=_(
                    "We have your booking for “%(theme)s” (%(mode)s) on %(when)s. The offices will confirm it and "
                    "tell you who is coming. Reschedule or cancel: %(url)s"
                )
                % {
                    "theme": theme.title,
                    "mode": booking.get_mode_display(),
                    "when": _when(booking),
                    "url": booking_manage_url(booking),
                },
                ical=True,
            )
            _schedule_reminders(booking, now=now)
    except IntegrityError:
        # The same form sent twice at the same moment: the first one's booking is the answer.
        existing = Booking.objects.filter(submission_key=submission_key).first() if submission_key else None
        if existing is None:
            raise
        return existing
    return booking


def _check_notice(booking: Booking, actor: User | None, now: datetime) -> None:
    """The enterprise (or its signed link) must give the minimum notice; staff may always move a visit."""
    if actor is not None and is_staff_role(actor):
        return
    if booking.slot.starts_at - now < timedelta(hours=settings.GUIDANCE_MIN_NOTICE_HOURS):
        raise ValidationError(
            _("Less than %(hours)s hours before the visit it can no longer be changed here; please call the office.")
            % {"hours": settings.GUIDANCE_MIN_NOTICE_HOURS},
            code="too_late",
        )


def _check_open(booking: Booking) -> None:
    if not booking.is_open:
        raise TransitionError(
            _("This booking is %(status)s and can no longer be changed.") % {"status": booking.get_status_display()},
            code="closed",
        )


def booking_reschedule(*, booking: Booking, slot: Slot, actor: User | None, reason: str = "") -> Booking:
    """Move a booking to another slot: take the new place and give back the old one in one transaction, cancel
    the old time's reminders and schedule the new time's."""
    now = timezone.now()
    with transaction.atomic():
        locked = Booking.objects.select_for_update().select_related("slot", "theme").get(pk=booking.pk)
        _check_open(locked)
        _check_notice(locked, actor, now)
        if slot.pk == locked.slot_id:
            raise ValidationError({"slot": [_("The booking is already in this slot.")]})
        errors: dict[str, list] = {}
        _check_slot_fits(theme=locked.theme, slot=slot, mode=slot.mode, errors=errors, now=now)
        if errors:
            raise ValidationError(errors)
        old_slot, old_version = locked.slot, locked.time_version
        # Touch the two slot rows in id order, so two crossing reschedules never deadlock.
        if slot.pk < old_slot.pk:
            taken = _slot_take(slot.pk)
            if taken:
                _slot_release(old_slot.pk)
        else:
            _slot_release(old_slot.pk)
            taken = _slot_take(slot.pk)
        if not taken:
            raise _slot_full()
        locked.slot = Slot.objects.get(pk=slot.pk)
        locked.region = slot.region
        locked.mode = slot.mode
        locked.time_version = old_version + 1
        locked.save(update_fields=["slot", "region", "mode", "time_version"])
        audit_record(
            obj=locked,
            field="slot",
            old=timezone.localtime(old_slot.starts_at).strftime("%Y-%m-%d %H:%M"),
            new=timezone.localtime(slot.starts_at).strftime("%Y-%m-%d %H:%M"),
            actor=actor,
            actor_label=SIGNED_LINK if actor is None else "",
            reason=reason,
        )
        notifications_cancel(dedupe_key_prefix=booking_key_prefix(locked, version=old_version))
        prefix = booking_key_prefix(locked)
        subject = _("Guidance visit %(ref)s moved to %(when)s") % {"ref": locked.reference, "when": _when(locked)}
        body = _("Your visit for “%(theme)s” is now on %(when)s (%(mode)s). Reschedule or cancel: %(url)s") % {
            "theme": locked.theme.title,
            "when": _when(locked),
            "mode": locked.get_mode_display(),
            "url": booking_manage_url(locked),
        }
        _tell_enterprise(locked, key=f"{prefix}moved", subject=subject, body=body, ical=True)
        _tell_officers(locked, key=f"{prefix}moved", subject=subject, body=body)
        _schedule_reminders(locked, now=now)
    return locked


def booking_cancel(*, booking: Booking, actor: User | None, reason: str) -> Booking:
    """Cancel with a reason: the place goes back to the slot, every pending message of the booking is dropped."""
    now = timezone.now()
    with transaction.atomic():
        locked = Booking.objects.select_for_update().select_related("slot", "theme").get(pk=booking.pk)
        _check_open(locked)
        _check_notice(locked, actor, now)
        cancelled = _transition(locked, Booking.Status.CANCELLED, actor, reason, {"cancel_reason": reason.strip()})
        _slot_release(locked.slot_id)
        notifications_cancel(dedupe_key_prefix=f"guidance:booking:{locked.pk}:")
        cancelled.slot, cancelled.theme = locked.slot, locked.theme
        subject = _("Guidance visit %(ref)s cancelled") % {"ref": locked.reference}
        body = _("The visit on %(when)s is cancelled. Reason: %(reason)s") % {"when": _when(locked), "reason": reason}
        _tell_enterprise(
            cancelled, key=f"guidance:booking:{locked.pk}:cancelled", subject=subject, body=body, ical=True
        )
        _tell_officers(cancelled, key=f"guidance:booking:{locked.pk}:cancelled", subject=subject, body=body)
    return cancelled


def _transition(booking: Booking, to: str, actor: User | None, reason: str = "", changes=None) -> Booking:
    with transaction.atomic():
        moved = transition(
            instance=booking,
            to=to,
            actor=actor,
            allowed=BOOKING_MOVES,
            reason=reason,
            reason_required=to == Booking.Status.CANCELLED,
            changes=changes,
        )
        if actor is None:
            # Only the enterprise's signed link moves a booking without a signed-in person; say so in the history.
            AuditEntry.objects.filter(pk=audit_history(moved).values_list("pk", flat=True).first()).update(
                actor_label=SIGNED_LINK
            )
    return moved


def _serves(region: Region | None, booking: Booking) -> bool:
    """A department or officer of the booking's county, or of a level above it (the city, the province)."""
    if region is None:
        return False
    county = booking.region.code[:6]
    return booking.region.code.startswith(region.prefix) or region.code.startswith(county)


def _check_assignment(booking: Booking, departments: list[Department], officers: list[User]) -> None:
    errors: dict[str, list] = {}
    if any(o.role != User.Role.OFFICER or not o.is_active for o in officers):
        errors["officers"] = [_("Only active department officers can be assigned.")]
    elif any(not _serves(o.region, booking) for o in officers):
        errors["officers"] = [_("Assign officers who work in the booking's county.")]
    if any(not _serves(d.region, booking) for d in departments):
        errors["departments"] = [_("Assign departments of the booking's county.")]
    if errors:
        raise ValidationError(errors)


def booking_confirm(
    *,
    booking: Booking,
    actor: User,
    departments: Iterable[Department] | None = None,
    officers: Iterable[User] | None = None,
) -> Booking:
    """Confirm a requested booking and assign who comes (by default the theme's departments)."""
    if departments is None:
        # The theme names the kinds of department that come; the booking's county provides them.
        kinds = booking.theme.departments.values("kind")
        departments = Department.objects.filter(kind__in=kinds, region__code__startswith=booking.region.code[:6])
    departments = list(departments)
    officers = list(officers or [])
    _check_assignment(booking, departments, officers)
    with transaction.atomic():
        confirmed = _transition(booking, Booking.Status.CONFIRMED, actor, changes={"confirmed_at": timezone.now()})
        officer_departments = {o.department_id for o in officers if o.department_id}
        confirmed.departments.set(departments + list(Department.objects.filter(pk__in=officer_departments)))
        confirmed.officers.set(officers)
        confirmed = Booking.objects.select_related("slot", "theme").get(pk=confirmed.pk)
        names = ", ".join(sorted(d.name for d in confirmed.departments.all()))
        subject = _("Guidance visit %(ref)s confirmed: %(when)s") % {
            "ref": confirmed.reference,
            "when": _when(confirmed),
        }
        body = _("Coming: %(departments)s. Reschedule or cancel: %(url)s") % {
            "departments": names,
            "url": booking_manage_url(confirmed),
        }
        key = f"guidance:booking:{confirmed.pk}:confirmed"
        _tell_enterprise(confirmed, key=key, subject=subject, body=body, ical=True)
        _tell_officers(
            confirmed,
            key=key,
            subject=_("You are assigned to guidance visit %(ref)s on %(when)s")
            % {"ref": confirmed.reference, "when": _when(confirmed)},
            body=_("%(business)s: %(needs)s") % {"business": confirmed.business_name, "needs": confirmed.needs},
        )
        _schedule_reminders(confirmed)
    return confirmed


def booking_assign(
    *,
    booking: Booking,
    actor: User,
    departments: Iterable[Department],
    officers: Iterable[User],
    summary: str | None = None,
) -> Booking:
    """Change who comes to an open (or record the summary of a held) visit; the history keeps who changed it.
    Newly assigned officers get the reminders, removed ones' reminders are dropped."""
    departments, officers = list(departments), list(officers)
    _check_assignment(booking, departments, officers)
    with transaction.atomic():
        locked = Booking.objects.select_for_update().select_related("slot", "theme").get(pk=booking.pk)
        before_officers = {o.pk: o.username for o in locked.officers.all()}
        before_departments = sorted(d.name for d in locked.departments.all())
        after_officers = {o.pk: o.username for o in officers}
        assignment_changed = before_officers != after_officers or before_departments != sorted(
            d.name for d in departments
        )
        if assignment_changed:
            if not locked.is_open:
                raise TransitionError(_("Only an open booking can be reassigned."), code="closed")
            locked.departments.set(departments)
            locked.officers.set(officers)
            audit_record(
                obj=locked,
                field="officers",
                old=", ".join(sorted(before_officers.values()))[:50],
                new=", ".join(sorted(after_officers.values()))[:50],
                actor=actor,
            )
            prefix = booking_key_prefix(locked)
            for removed in set(before_officers) - set(after_officers):
                for label, _before in REMINDERS:
                    notifications_cancel(dedupe_key_prefix=f"{prefix}reminder-{label}:officer-{removed}")
            _schedule_reminders(locked)
        if summary is not None and summary != locked.summary:
            locked.summary = summary
            locked.save(update_fields=["summary"])
    return locked


def _check_started(booking: Booking) -> None:
    if booking.slot.starts_at > timezone.now():
        raise ValidationError(_("The visit has not started yet."), code="not_started")


def booking_complete(*, booking: Booking, actor: User, summary: str = "") -> Booking:
    """The visit was held: stop the reminders, and ask for satisfaction feedback a little later."""
    _check_started(booking)
    with transaction.atomic():
        done = _transition(
            booking,
            Booking.Status.COMPLETED,
            actor,
            changes={"completed_at": timezone.now(), "summary": summary or booking.summary},
        )
        notifications_cancel(dedupe_key_prefix=booking_key_prefix(done))
        done = Booking.objects.select_related("slot", "theme").get(pk=done.pk)
        _tell_enterprise(
            done,
            key=f"guidance:booking:{done.pk}:survey",
            subject=_("How was your guidance visit %(ref)s?") % {"ref": done.reference},
            body=_("Please tell us in one minute how the visit helped you: %(url)s")
            % {"url": booking_feedback_url(done)},
            due_at=timezone.now() + timedelta(hours=settings.GUIDANCE_SURVEY_DELAY_HOURS),
        )
    return done


def booking_mark_no_show(*, booking: Booking, actor: User, reason: str = "") -> Booking:
    _check_started(booking)
    with transaction.atomic():
        moved = _transition(booking, Booking.Status.NO_SHOW, actor, reason)
        notifications_cancel(dedupe_key_prefix=booking_key_prefix(moved))
    return moved


def bookings_escalate_unconfirmed(*, now: datetime | None = None) -> int:
    """Tell the region's coordinators about bookings still unconfirmed after the configured hours. Each booking
    is claimed by compare-and-set on ``escalated_at``, so two sweeps never both escalate it."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=settings.GUIDANCE_ESCALATE_AFTER_HOURS)
    candidates = Booking.objects.filter(
        status=Booking.Status.REQUESTED, escalated_at__isnull=True, created_at__lte=cutoff
    ).values_list("pk", flat=True)
    escalated = 0
    for pk in list(candidates):
        with transaction.atomic():
            claimed = Booking.objects.filter(pk=pk, status=Booking.Status.REQUESTED, escalated_at__isnull=True).update(
                escalated_at=now
            )
            if not claimed:
                continue
            booking = Booking.objects.select_related("region", "slot").get(pk=pk)
            audit_record(
                obj=booking,
                field="escalated",
                old="",
                new=booking.status,
                actor=None,
                reason=_("Not confirmed within %(hours)s hours.") % {"hours": settings.GUIDANCE_ESCALATE_AFTER_HOURS},
            )
            for coordinator in region_coordinators(booking.region):
                notification_schedule(
                    dedupe_key=f"guidance:booking:{pk}:escalated:{coordinator.pk}",
                    channel=Notification.Channel.IN_APP,
                    recipient=coordinator,
                    subject=_("Guidance booking %(ref)s is still unconfirmed") % {"ref": booking.reference},
                    body=_("%(business)s booked a visit on %(when)s; please confirm it and assign officers.")
                    % {"business": booking.business_name, "when": _when(booking)},
                )
            escalated += 1
    return escalated


def region_coordinators(region: Region):
    """Coordinators whose region contains ``region`` (its own, the county's, the city's, the province's)."""
    codes = {region.code[:n].ljust(12, "0") for n in Region.PREFIX_LENGTH.values()}
    return User.objects.filter(role=User.Role.COORDINATOR, is_active=True, region__code__in=codes)


# --- The visit: advice, risks, the recommendation letter, feedback ---------------------------------------


def _check_visit_open(booking: Booking) -> None:
    current = Booking.objects.filter(pk=booking.pk).values_list("status", flat=True).get()
    if current not in (Booking.Status.CONFIRMED, Booking.Status.COMPLETED):
        raise TransitionError(_("Advice and risks are recorded for confirmed or completed visits."), code="closed")


def advice_record(*, booking: Booking, actor: User, text: str, item: InspectionItem | None = None) -> Advice:
    _check_visit_open(booking)
    if not text.strip():
        raise ValidationError({"text": [_("Write the advice given.")]})
    return Advice.objects.create(booking=booking, item=item, text=text.strip(), author=actor)


def risk_record(
    *,
    booking: Booking,
    actor: User,
    description: str,
    item: InspectionItem | None = None,
    suggestion: str = "",
    deadline: date | None = None,
) -> Risk:
    """A risk found in a guidance visit becomes a rectification item. It is not a finding: no penalty follows
    and the enterprise's grade is left as it is."""
    _check_visit_open(booking)
    if not description.strip():
        raise ValidationError({"description": [_("Describe the risk.")]})
    if deadline is not None and deadline < timezone.localdate():
        raise ValidationError({"deadline": [_("The deadline cannot be in the past.")]})
    with transaction.atomic():
        risk = Risk.objects.create(
            booking=booking,
            item=item,
            description=description.strip(),
            suggestion=suggestion.strip(),
            deadline=deadline,
            recorded_by=actor,
        )
        audit_record(obj=risk, old="", new=risk.status, actor=actor)
    return risk


def _check_owner(risk: Risk, actor: User | None) -> None:
    if actor is None or not actor.is_authenticated:
        raise ValidationError(_("Sign in to submit evidence."))
    if actor.role == User.Role.ENTERPRISE and actor.enterprise_id != risk.booking.enterprise_id:
        raise ValidationError(_("This risk is not your enterprise's."))


def risk_submit_evidence(*, risk: Risk, actor: User, note: str, file=None) -> Risk:
    """A signed-in enterprise user (or staff on its behalf) shows a risk was rectified."""
    _check_owner(risk, actor)
    return _evidence(risk=risk, actor=actor, note=note, file=file)


def risk_submit_evidence_by_link(*, risk: Risk, booking: Booking, note: str, file=None) -> Risk:
    """The same through the booking's signed link, for a business without an account (someone who has just
    opened a restaurant); the caller has checked the link's signature, this checks the risk is the booking's."""
    if risk.booking_id != booking.pk:
        raise ValidationError(_("This risk is not your enterprise's."))
    return _evidence(risk=risk, actor=None, note=note, file=file)


def _evidence(*, risk: Risk, actor: User | None, note: str, file) -> Risk:
    if not note.strip() and not file:
        raise ValidationError({"evidence_note": [_("Describe what was done, or attach a photo or document.")]})
    changes = {"evidence_note": note.strip(), "evidence_at": timezone.now()}
    if file:
        changes["evidence_file"] = file
    with transaction.atomic():
        moved = transition(instance=risk, to=Risk.Status.SUBMITTED, actor=actor, allowed=RISK_MOVES, changes=changes)
        if actor is None:
            AuditEntry.objects.filter(pk=audit_history(moved).values_list("pk", flat=True).first()).update(
                actor_label=SIGNED_LINK
            )
    return moved


def risk_confirm(*, risk: Risk, actor: User) -> Risk:
    return transition(
        instance=risk,
        to=Risk.Status.RECTIFIED,
        actor=actor,
        allowed=RISK_MOVES,
        changes={"rectified_at": timezone.now()},
    )


def risk_reject(*, risk: Risk, actor: User, reason: str) -> Risk:
    """The evidence does not show the risk is gone: back to open, with the reason the enterprise will read."""
    return transition(
        instance=risk, to=Risk.Status.OPEN, actor=actor, allowed=RISK_MOVES, reason=reason, reason_required=True
    )


def letter_issue(*, booking: Booking, actor: User) -> Booking:
    """Issue the recommendation letter (建议书) of a completed visit, once; the enterprise is told where to read it."""
    if booking.status != Booking.Status.COMPLETED:
        raise TransitionError(_("A recommendation letter is issued after the visit is completed."), code="closed")
    now = timezone.now()
    number = f"{booking.reference}-JY"
    with transaction.atomic():
        issued = Booking.objects.filter(pk=booking.pk, letter_issued_at__isnull=True).update(
            letter_issued_at=now, letter_number=number
        )
        booking = Booking.objects.select_related("slot", "theme").get(pk=booking.pk)
        if issued:
            audit_record(obj=booking, field="letter", old="", new=number, actor=actor)
            _tell_enterprise(
                booking,
                key=f"guidance:booking:{booking.pk}:letter",
                subject=_("Recommendation letter %(number)s") % {"number": number},
                body=_("The recommendation letter of your guidance visit is ready: %(url)s")
                % {"url": booking_manage_url(booking)},
            )
    return booking


def feedback_submit(*, booking: Booking, satisfaction: int, comment: str = "", actor: User | None) -> Booking:
    """Satisfaction after a completed visit, given once."""
    if satisfaction not in range(1, 6):
        raise ValidationError({"satisfaction": [_("Choose from 1 to 5.")]})
    if booking.status != Booking.Status.COMPLETED:
        raise TransitionError(_("Feedback is asked for after the visit."), code="closed")
    given = Booking.objects.filter(pk=booking.pk, feedback_at__isnull=True).update(
        satisfaction=satisfaction, feedback=comment.strip(), feedback_at=timezone.now()
    )
    if not given:
        raise ValidationError(_("Thank you: your feedback for this visit has already been recorded."), code="given")
    booking.refresh_from_db()
    return booking

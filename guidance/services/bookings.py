"""Bookings: a business books a place in a slot, moves or cancels it (signed in, or through its signed link),
and an unconfirmed one is escalated to the region's coordinators.

Nothing here reads or writes ``Enterprise.grade``: guidance is a service, never enforcement.
"""

import re
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from programs.audit import TransitionError, audit_record, bulk_transition
from programs.models import Enterprise, Notification, Region, User
from programs.notify import notify_enterprise
from programs.roles import ENFORCEMENT, Role, is_staff_role, require_role
from programs.services import notification_schedule, notifications_cancel
from programs.validators import normalize_credit_code, validate_credit_code

from ..models import Booking, Mode, Slot, Theme
from ._common import booking_move
from .capacity import check_slot_fits, slot_full_error, slot_take
from .links import SIGNED_LINK, booking_manage_url
from .notifications import booking_key_prefix, notify_booker, notify_officers, schedule_reminders, visit_time
from .offers import place_freed

PHONE_RE = re.compile(r"^\+?[0-9][0-9\- ]{6,19}$")


def _new_reference() -> str:
    return f"G{timezone.localdate():%y%m%d}-{secrets.token_hex(3).upper()}"


def _in_scope(actor: User, region: Region) -> bool:
    return actor.is_superuser or (actor.region_id is not None and region.code.startswith(actor.region.prefix))


def booking_check(
    *,
    theme: Theme,
    slot: Slot | None,
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
    channel: str = Booking.Channel.ONLINE,
    now: datetime | None = None,
) -> tuple[dict[str, list], dict]:
    """What is wrong with a booking (every field at once, by name; no slot is "choose a time") and the values a
    booking would be made with. Writes nothing: the form asks it to show all its errors on the first try."""
    now = now or timezone.now()
    errors: dict[str, list] = {}
    enterprise = unverified_enterprise = None
    if channel == Booking.Channel.PHONE:
        if actor is None or not (actor.is_superuser or actor.role in ENFORCEMENT):
            raise PermissionDenied(_("Only the office's staff book for a caller on the phone."))
        if slot is not None and not _in_scope(actor, slot.region):
            errors.setdefault("slot", []).append(_("This time is outside your area."))
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
                if enterprise is not None and not (actor is not None and is_staff_role(actor)):
                    # Anyone may type a credit code: the booking is not the enterprise's until its user claims it.
                    enterprise, unverified_enterprise = None, enterprise
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
    if (mode or (slot.mode if slot else "")) == Mode.ONSITE and not address.strip():
        errors.setdefault("address", []).append(_("An on-site visit needs the address to come to."))
    if not consent:
        errors.setdefault("consent", []).append(
            _("Please agree that the offices may use these details to arrange the visit.")
        )
    if not theme.is_active:
        errors.setdefault("theme", []).append(_("This theme is not offered any more."))
    if slot is None:
        errors.setdefault("slot", []).append(_("Choose a time."))
    else:
        check_slot_fits(theme=theme, slot=slot, mode=mode or slot.mode, errors=errors, now=now)
    values = {
        "enterprise": enterprise,
        "unverified_enterprise": unverified_enterprise,
        "business_name": business_name.strip(),
        "credit_code": credit_code,
        "contact_name": contact_name.strip(),
        "contact_phone": contact_phone.strip(),
        "contact_email": contact_email.strip(),
        "address": address.strip(),
        "needs": needs.strip(),
    }
    return errors, values


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
    channel: str = Booking.Channel.ONLINE,
    held_place: bool = False,
) -> Booking:
    """Book a place. Every bad field is reported at once, named; a full slot answers ``slot_full``.

    ``submission_key`` (the form's one-time key, or the API's idempotency) makes a double submit one booking.
    ``channel=PHONE``: a coordinator or officer books for a caller, in a slot of their own area; the history
    names them and the booking says it was made by phone; the caller gets the same messages and links.
    ``held_place``: the place is already the booker's (a waitlist offer taken), so none is taken here; the
    caller holds that offer's lock.
    """
    now = timezone.now()
    if submission_key:
        existing = Booking.objects.filter(submission_key=submission_key).first()
        if existing is not None:
            return existing
    errors, values = booking_check(
        theme=theme,
        slot=slot,
        mode=mode,
        business_name=business_name,
        credit_code=credit_code,
        not_registered=not_registered,
        contact_name=contact_name,
        contact_phone=contact_phone,
        contact_email=contact_email,
        address=address,
        needs=needs,
        consent=consent,
        actor=actor,
        channel=channel,
        now=now,
    )
    if errors:
        raise ValidationError(errors)
    mode = mode or slot.mode
    try:
        with transaction.atomic():
            if not held_place and not slot_take(slot.pk):
                raise slot_full_error()
            booking = Booking.objects.create(
                reference=_new_reference(),
                theme=theme,
                slot=slot,
                region=slot.region,
                mode=mode,
                consent_at=now,
                submission_key=submission_key or None,
                channel=channel,
                created_by=actor if actor is not None and actor.is_authenticated else None,
                **values,
            )
            booking.slot = Slot.objects.get(pk=slot.pk)
            audit_record(
                obj=booking,
                old="",
                new=booking.status,
                actor=actor,
                reason=_("Booked by phone for the caller") if channel == Booking.Channel.PHONE else _("Booked"),
                action="booking.create",
                data={"channel": channel},
            )
            url = booking_manage_url(booking)
            notify_booker(
                booking,
                key=f"guidance:booking:{booking.pk}:booked",
                subject=_("Guidance booking %(ref)s received: %(when)s")
                % {"ref": booking.reference, "when": visit_time(booking)},
                body=_(
                    "We have your booking for “%(theme)s” (%(mode)s) on %(when)s. The offices will confirm it and "
                    "tell you who is coming."
                )
                % {"theme": theme.title, "mode": booking.get_mode_display(), "when": visit_time(booking)},
                sms_text=_("Guidance booking %(ref)s received: %(when)s. Reschedule or cancel: %(url)s")
                % {"ref": booking.reference, "when": visit_time(booking), "url": url},
                ical=True,
            )
            schedule_reminders(booking, now=now)
            if booking.unverified_enterprise_id is not None:
                _tell_enterprise_of_unverified_booking(booking)
    except IntegrityError:
        # The same form sent twice at the same moment: the first one's booking is the answer.
        existing = Booking.objects.filter(submission_key=submission_key).first() if submission_key else None
        if existing is None:
            raise
        return existing
    return booking


def _tell_enterprise_of_unverified_booking(booking: Booking) -> None:
    """In the app only, to the users of the enterprise whose credit code was given; no stranger's contact."""
    notify_enterprise(
        enterprise_id=booking.unverified_enterprise_id,
        key=f"guidance:booking:{booking.pk}:unverified",
        subject=_("A guidance visit was booked with your credit code: %(ref)s") % {"ref": booking.reference},
        body=_(
            "Someone booked the visit %(ref)s (booking %(id)s, “%(theme)s”, %(when)s) giving your enterprise's "
            "credit code without signing in. It is not shown as yours until one of your users claims it; "
            "if nobody of yours booked it, tell the office."
        )
        % {"ref": booking.reference, "id": booking.pk, "theme": booking.theme.title, "when": visit_time(booking)},
    )


def booking_claim(*, booking: Booking, actor: User) -> Booking:
    """A user of the enterprise whose credit code an anonymous booker gave makes the booking the enterprise's."""
    require_role(actor, Role.ENTERPRISE)
    with transaction.atomic():
        booking = Booking.objects.select_for_update().get(pk=booking.pk)
        if booking.unverified_enterprise_id is None or booking.unverified_enterprise_id != actor.enterprise_id:
            raise ValidationError(
                {"booking": _("This booking cannot be claimed by your enterprise.")}, code="not_claimable"
            )
        booking.enterprise_id, booking.unverified_enterprise_id = booking.unverified_enterprise_id, None
        booking.save(update_fields=["enterprise", "unverified_enterprise"])
        audit_record(
            obj=booking,
            old="",
            new=str(booking.enterprise_id),
            actor=actor,
            field="enterprise",
            reason=_("Claimed by the enterprise"),
            action="booking.claim",
        )
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


def booking_check_changeable(*, booking: Booking, actor: User | None) -> None:
    """Refuse, before asking the business to confirm, a change its booking no longer allows (closed, or too
    close to the visit for it to change itself)."""
    _check_open(booking)
    _check_notice(booking, actor, timezone.now())


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
        check_slot_fits(theme=locked.theme, slot=slot, mode=slot.mode, errors=errors, now=now)
        if errors:
            raise ValidationError(errors)
        old_slot, old_version = locked.slot, locked.time_version
        # Touch the two slot rows in id order, so two crossing reschedules never deadlock.
        # The old place goes to the old slot's waitlist first (``place_freed``), else back to the slot.
        if slot.pk < old_slot.pk:
            taken = slot_take(slot.pk)
            if taken:
                place_freed(old_slot.pk, now=now)
        else:
            place_freed(old_slot.pk, now=now)
            taken = slot_take(slot.pk)
        if not taken:
            raise slot_full_error()
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
            action="booking.reschedule",
        )
        notifications_cancel(dedupe_key_prefix=booking_key_prefix(locked, version=old_version))
        prefix = booking_key_prefix(locked)
        subject = _("Guidance visit %(ref)s moved to %(when)s") % {"ref": locked.reference, "when": visit_time(locked)}
        body = _("Your visit for “%(theme)s” is now on %(when)s (%(mode)s).") % {
            "theme": locked.theme.title,
            "when": visit_time(locked),
            "mode": locked.get_mode_display(),
        }
        sms = _("Guidance visit %(ref)s moved to %(when)s. Reschedule or cancel: %(url)s") % {
            "ref": locked.reference,
            "when": visit_time(locked),
            "url": booking_manage_url(locked),
        }
        notify_booker(locked, key=f"{prefix}moved", subject=subject, body=body, sms_text=sms, ical=True)
        notify_officers(locked, key=f"{prefix}moved", subject=subject, body=body)
        schedule_reminders(locked, now=now)
    return locked


def booking_cancel(*, booking: Booking, actor: User | None, reason: str) -> Booking:
    """Cancel with a reason: the place goes back to the slot, every pending message of the booking is dropped."""
    now = timezone.now()
    with transaction.atomic():
        locked = Booking.objects.select_for_update().select_related("slot", "theme").get(pk=booking.pk)
        _check_open(locked)
        _check_notice(locked, actor, now)
        cancelled = booking_move(
            locked,
            Booking.Status.CANCELLED,
            actor,
            action="booking.cancel",
            reason=reason,
            changes={"cancel_reason": reason.strip()},
        )
        notifications_cancel(dedupe_key_prefix=f"guidance:booking:{locked.pk}:")
        place_freed(locked.slot_id, now=now)  # to the first one waiting, else back to the slot
        cancelled.slot, cancelled.theme = locked.slot, locked.theme
        subject = _("Guidance visit %(ref)s cancelled") % {"ref": locked.reference}
        body = _("The visit on %(when)s is cancelled. Reason: %(reason)s") % {
            "when": visit_time(locked),
            "reason": reason,
        }
        key = f"guidance:booking:{locked.pk}:cancelled"
        notify_booker(cancelled, key=key, subject=subject, body=body, ical=True)
        notify_officers(cancelled, key=key, subject=subject, body=body)
    return cancelled


def bookings_escalate_unconfirmed(*, now: datetime | None = None) -> int:
    """Tell the region's coordinators about bookings still unconfirmed after the configured hours. The sweep is a
    ``bulk_transition`` of ``escalated_at`` (audited as "escalated"): each booking is claimed and stamped once,
    however often or concurrently it runs, and the coordinators' notices commit with the stamp. Returns how many
    were escalated in this run."""
    now = now or timezone.now()
    hours = settings.GUIDANCE_ESCALATE_AFTER_HOURS
    unconfirmed = Booking.objects.filter(
        status=Booking.Status.REQUESTED, escalated_at__isnull=True, created_at__lte=now - timedelta(hours=hours)
    )
    escalated = bulk_transition(
        unconfirmed,
        field="escalated_at",
        audit_field="escalated",
        to=now,
        reason=_("Not confirmed within %(hours)s hours.") % {"hours": hours},
        now=now,
        action="booking.escalate",
        after=_notify_coordinators_unconfirmed,
    )
    return len(escalated)


def _notify_coordinators_unconfirmed(booking_ids: list[int]) -> None:
    for booking in Booking.objects.filter(pk__in=booking_ids).select_related("region", "slot").order_by("pk"):
        for coordinator in region_coordinators(booking.region):
            notification_schedule(
                dedupe_key=f"guidance:booking:{booking.pk}:escalated:{coordinator.pk}",
                channel=Notification.Channel.IN_APP,
                recipient=coordinator,
                subject=_("Guidance booking %(ref)s is still unconfirmed") % {"ref": booking.reference},
                body=_("%(business)s booked a visit on %(when)s; please confirm it and assign officers.")
                % {"business": booking.business_name, "when": visit_time(booking)},
            )


def region_coordinators(region: Region):
    """Coordinators whose region contains ``region`` (its own, the county's, the city's, the province's)."""
    codes = {region.code[:n].ljust(12, "0") for n in Region.PREFIX_LENGTH.values()}
    return User.objects.filter(role=User.Role.COORDINATOR, is_active=True, region__code__in=codes)

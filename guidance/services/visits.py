"""The visit: staff confirm a booking and assign who comes, hold the visit (or record a no-show), record the
advice given, and the business gives its satisfaction feedback. The recommendation letter (建议书) is ``letters``.

Nothing here reads or writes ``Enterprise.grade``: guidance is a service, never enforcement.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inspections.models import InspectionItem
from programs.audit import TransitionError, audit_record
from programs.models import Department, Region, User
from programs.services import notifications_cancel

from ..models import Advice, Booking, Mode, Risk, Session
from ._common import (
    advice_add,
    booking_move,
    held_at_check,
    letter_issued_error,
    lock_for_records,
    officers_check,
    session_add,
)
from .links import booking_feedback_url, booking_manage_url
from .notifications import REMINDERS, booking_key_prefix, notify_booker, notify_officers, schedule_reminders, visit_time


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
        confirmed = booking_move(
            booking, Booking.Status.CONFIRMED, actor, action="booking.confirm", changes={"confirmed_at": timezone.now()}
        )
        officer_departments = {o.department_id for o in officers if o.department_id}
        confirmed.departments.set(departments + list(Department.objects.filter(pk__in=officer_departments)))
        confirmed.officers.set(officers)
        confirmed = Booking.objects.select_related("slot", "theme").get(pk=confirmed.pk)
        names = ", ".join(sorted(d.name for d in confirmed.departments.all()))
        subject = _("Guidance visit %(ref)s confirmed: %(when)s") % {
            "ref": confirmed.reference,
            "when": visit_time(confirmed),
        }
        body = _("Coming: %(departments)s. Reschedule or cancel: %(url)s") % {
            "departments": names,
            "url": booking_manage_url(confirmed),
        }
        key = f"guidance:booking:{confirmed.pk}:confirmed"
        notify_booker(confirmed, key=key, subject=subject, body=body, ical=True)
        notify_officers(
            confirmed,
            key=key,
            subject=_("You are assigned to guidance visit %(ref)s on %(when)s")
            % {"ref": confirmed.reference, "when": visit_time(confirmed)},
            body=_("%(business)s: %(needs)s") % {"business": confirmed.business_name, "needs": confirmed.needs},
        )
        schedule_reminders(confirmed)
    return confirmed


def _check_assign_allowed(
    locked: Booking, departments: list[Department], officers: list[User], summary: str | None
) -> tuple[dict[int, str], dict[int, str]] | None:
    """Refuse what the locked booking's state no longer allows of the change; the officers and departments
    before it (by id, their names) when the assignment changes, else None."""
    before_officers = {o.pk: o.username for o in locked.officers.all()}
    before_departments = {d.pk: d.name for d in locked.departments.all()}
    officers_changed = before_officers != {o.pk: o.username for o in officers}
    assignment_changed = officers_changed or sorted(before_departments.values()) != sorted(d.name for d in departments)
    if assignment_changed and not locked.is_open:
        raise TransitionError(_("Only an open booking can be reassigned."), code="closed")
    if summary is not None and summary != locked.summary and locked.letter_issued_at is not None:
        raise letter_issued_error(locked, "summary")
    return (before_officers, before_departments) if assignment_changed else None


def booking_assign_check(
    *,
    booking: Booking,
    departments: Iterable[Department],
    officers: Iterable[User],
    summary: str | None = None,
) -> None:
    """Raise what ``booking_assign`` would refuse of this change, the same errors, for a form to show before it
    saves. It locks the booking: called in the transaction that then saves (the admin's), the answer holds."""
    departments, officers = list(departments), list(officers)
    _check_assignment(booking, departments, officers)
    with transaction.atomic():
        locked = Booking.objects.select_for_update().get(pk=booking.pk)
        _check_assign_allowed(locked, departments, officers, summary)


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
        before = _check_assign_allowed(locked, departments, officers, summary)
        if before is not None:
            before_officers, before_departments = before
            after_officers = {o.pk: o.username for o in officers}
            after_departments = {d.pk: d.name for d in departments}
            locked.departments.set(departments)
            locked.officers.set(officers)
            audit_record(
                obj=locked,
                field="officers",
                old=", ".join(sorted(before_officers.values())),
                new=", ".join(sorted(after_officers.values())),
                actor=actor,
                action="booking.assign",
                data={
                    "officers": sorted(after_officers),
                    "departments": sorted(after_departments),
                    "officers_before": sorted(before_officers),
                    "departments_before": sorted(before_departments),
                },
            )
            prefix = booking_key_prefix(locked)
            for removed in set(before_officers) - set(after_officers):
                for label, _before in REMINDERS:
                    notifications_cancel(dedupe_key_prefix=f"{prefix}reminder-{label}:officer-{removed}")
            schedule_reminders(locked)
        if summary is not None and summary != locked.summary:
            locked.summary = summary
            locked.save(update_fields=["summary"])
            locked.sessions.filter(kind=Session.Kind.FIRST).update(summary=summary)
    return locked


def _check_started(booking: Booking) -> None:
    if booking.slot.starts_at > timezone.now():
        raise ValidationError(_("The visit has not started yet."), code="not_started")


def booking_complete(
    *,
    booking: Booking,
    actor: User,
    summary: str = "",
    mode: str | None = None,
    held_at: datetime | None = None,
    officers: Iterable[User] | None = None,
) -> Booking:
    """The visit was held: its first session is recorded (``mode``, ``held_at`` and ``officers`` default to the
    booking's mode, its slot's start and the officers assigned), with the advice and risks recorded while it
    was under way; the reminders stop, and satisfaction feedback is asked for a little later."""
    _check_started(booking)
    mode = mode or booking.mode
    if mode not in Mode.values:
        raise ValidationError({"mode": ValidationError(_("Choose online or on site."), code="invalid")})
    held_at = held_at or booking.slot.starts_at
    held_at_check(held_at)
    chosen = list(officers) if officers is not None else None
    if chosen is not None:
        officers_check(booking, chosen)
    with transaction.atomic():
        done = booking_move(
            booking,
            Booking.Status.COMPLETED,
            actor,
            action="booking.complete",
            changes={"completed_at": timezone.now(), "summary": summary or booking.summary},
        )
        first = session_add(
            booking=done,
            kind=Session.Kind.FIRST,
            actor=actor,
            mode=mode,
            held_at=held_at,
            officers=chosen if chosen is not None else list(done.officers.all()),
            departments=list(done.departments.all()),
            summary=done.summary,
        )
        Advice.objects.filter(booking=done, session__isnull=True).update(session=first)
        Risk.objects.filter(booking=done, session__isnull=True).update(session=first)
        notifications_cancel(dedupe_key_prefix=booking_key_prefix(done))
        done = Booking.objects.select_related("slot", "theme").get(pk=done.pk)
        notify_booker(
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
        moved = booking_move(booking, Booking.Status.NO_SHOW, actor, action="booking.no_show", reason=reason)
        notifications_cancel(dedupe_key_prefix=booking_key_prefix(moved))
    return moved


def advice_record(
    *, booking: Booking, actor: User, text: str, item: InspectionItem | None = None, session: Session | None = None
) -> Advice:
    """Advice given in the visit, in ``session`` (by default the latest session held; while the first is under
    way, the one its recording makes). Once that session's letter is issued, advice comes with a new version of
    it (``letter_reissue``)."""
    with transaction.atomic():
        locked, target = lock_for_records(booking, field="text", session=session)
        return advice_add(booking=locked, session=target, actor=actor, text=text, item=item)


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

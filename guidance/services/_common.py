"""What the parts of ``guidance.services`` share: a booking's status move, when a visit takes records and which
session they go to (and that an issued letter freezes them), and the insert of one advice or one risk."""

from collections.abc import Mapping
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from inspections.models import InspectionItem
from programs.audit import TransitionError, audit_record, transition
from programs.models import User

from ..models import BOOKING_MOVES, Advice, Booking, Risk, Session
from .links import SIGNED_LINK


def booking_move(
    booking: Booking,
    to: str,
    actor: User | None,
    *,
    action: str,
    reason: str = "",
    changes: Mapping[str, object] | None = None,
) -> Booking:
    """Move a booking along ``BOOKING_MOVES`` with its audit row. Only the holder of the booking's signed link
    moves it without a signed-in person: the history names the link, written with the row, never after."""
    return transition(
        instance=booking,
        to=to,
        actor=actor,
        allowed=BOOKING_MOVES,
        reason=reason,
        reason_required=to == Booking.Status.CANCELLED,
        changes=changes,
        action=action,
        actor_label=SIGNED_LINK if actor is None else "",
    )


def lock_for_records(
    booking: Booking, *, field: str, reissue: bool = False, session: Session | None = None
) -> tuple[Booking, Session | None]:
    """Lock the booking for a record of its visit (call inside a transaction): advice and risks are recorded
    while the visit is confirmed or once it is completed, and not after the recommendation letter of the session
    they go to is issued, because the letter says what they were; then only a new version of the letter
    (``reissue``) brings changes. The refusal names ``field``. Issuing a letter takes the same lock, so no record
    slips in between. Answers the locked booking and the session the records go to: ``session`` when given (it
    must be the booking's), else the latest session held; none while the first session is under way (recording
    it takes them in)."""
    locked = Booking.objects.select_for_update().get(pk=booking.pk)
    if locked.status not in (Booking.Status.CONFIRMED, Booking.Status.COMPLETED):
        raise TransitionError(_("Advice and risks are recorded for confirmed or completed visits."), code="closed")
    if session is not None:
        if session.booking_id != locked.pk:
            raise ValidationError(
                {"session": ValidationError(_("This session is not the booking's."), code="other_booking")}
            )
        target = Session.objects.get(pk=session.pk)
    else:
        target = locked.sessions.order_by("-held_at", "-id").first()
    if (target or locked).letter_issued_at is not None and not reissue:
        raise letter_issued_error(target or locked, field)
    return locked, target


def letter_issued_error(holder: Booking | Session, field: str) -> ValidationError:
    """The refusal of a record for a session (or a booking's first session) whose letter is issued."""
    return ValidationError(
        {
            field: ValidationError(
                _(
                    "The recommendation letter %(number)s has been issued with the advice, risks and summary of "
                    "this visit; to change them, issue a new version of the letter."
                )
                % {"number": holder.letter_number},
                code="letter_issued",
            )
        }
    )


def advice_add(
    *, booking: Booking, session: Session | None, actor: User, text: str, item: InspectionItem | None = None
) -> Advice:
    """One advice of the visit, of ``session`` (the caller holds ``lock_for_records``)."""
    if not text.strip():
        raise ValidationError({"text": [_("Write the advice given.")]})
    return Advice.objects.create(booking=booking, session=session, item=item, text=text.strip(), author=actor)


def risk_add(
    *,
    booking: Booking,
    session: Session | None,
    actor: User,
    description: str,
    item: InspectionItem | None = None,
    suggestion: str = "",
    deadline: date | None = None,
) -> Risk:
    """One risk of the visit, found in ``session``, and its audit row (the caller holds ``lock_for_records``)."""
    if not description.strip():
        raise ValidationError({"description": [_("Describe the risk.")]})
    if deadline is not None and deadline < timezone.localdate():
        raise ValidationError({"deadline": [_("The deadline cannot be in the past.")]})
    risk = Risk.objects.create(
        booking=booking,
        session=session,
        item=item,
        description=description.strip(),
        suggestion=suggestion.strip(),
        deadline=deadline,
        recorded_by=actor,
    )
    audit_record(obj=risk, old="", new=risk.status, actor=actor, action="risk.record")
    return risk


def officers_check(booking: Booking, officers: list[User], *, field: str = "officers") -> None:
    """A session's officers: active department officers of the booking's departments (or assigned to it)."""
    departments = set(booking.departments.values_list("pk", flat=True))
    assigned = set(booking.officers.values_list("pk", flat=True))
    for officer in officers:
        if officer.role != User.Role.OFFICER or not officer.is_active:
            raise ValidationError(
                {field: ValidationError(_("Only active department officers hold a session."), code="not_officer")}
            )
        if officer.pk not in assigned and officer.department_id not in departments:
            raise ValidationError(
                {
                    field: ValidationError(
                        _("%(name)s is not an officer of the booking's departments.") % {"name": officer.username},
                        code="other_department",
                    )
                }
            )


def held_at_check(held_at) -> None:
    if held_at > timezone.now():
        raise ValidationError(
            {"held_at": ValidationError(_("A session is recorded once it has been held."), code="future")}
        )


def session_add(
    *,
    booking: Booking,
    kind: str,
    actor: User | None,
    mode: str,
    held_at,
    officers: list[User],
    departments,
    summary: str = "",
) -> Session:
    """One session of the booking (the caller holds the booking's lock and has checked the arguments)."""
    session = Session.objects.create(
        booking=booking, kind=kind, mode=mode, held_at=held_at, summary=summary.strip(), recorded_by=actor
    )
    session.officers.set(officers)
    session.departments.set(departments)
    return session

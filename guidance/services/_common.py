"""What the parts of ``guidance.services`` share: a booking's status move, when a visit takes records (and that
an issued letter freezes them), and the insert of one advice or one risk."""

from collections.abc import Mapping
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from inspections.models import InspectionItem
from programs.audit import TransitionError, audit_record, transition
from programs.models import User

from ..models import BOOKING_MOVES, Advice, Booking, Risk
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


def lock_for_records(booking: Booking, *, field: str, reissue: bool = False) -> Booking:
    """Lock the booking for a record of its visit (call inside a transaction): advice and risks are recorded
    while the visit is confirmed or once it is completed, and not after its recommendation letter is issued,
    because the letter says what they were; then only a new version of the letter (``reissue``) brings changes.
    The refusal names ``field``. Issuing the letter takes the same lock, so no record slips in between."""
    locked = Booking.objects.select_for_update().get(pk=booking.pk)
    if locked.status not in (Booking.Status.CONFIRMED, Booking.Status.COMPLETED):
        raise TransitionError(_("Advice and risks are recorded for confirmed or completed visits."), code="closed")
    if locked.letter_issued_at is not None and not reissue:
        raise letter_issued_error(locked, field)
    return locked


def letter_issued_error(booking: Booking, field: str) -> ValidationError:
    return ValidationError(
        {
            field: ValidationError(
                _(
                    "The recommendation letter %(number)s has been issued with the advice, risks and summary of "
                    "this visit; to change them, issue a new version of the letter."
                )
                % {"number": booking.letter_number},
                code="letter_issued",
            )
        }
    )


def advice_add(*, booking: Booking, actor: User, text: str, item: InspectionItem | None = None) -> Advice:
    """One advice of the visit (the caller holds ``lock_for_records``)."""
    if not text.strip():
        raise ValidationError({"text": [_("Write the advice given.")]})
    return Advice.objects.create(booking=booking, item=item, text=text.strip(), author=actor)


def risk_add(
    *,
    booking: Booking,
    actor: User,
    description: str,
    item: InspectionItem | None = None,
    suggestion: str = "",
    deadline: date | None = None,
) -> Risk:
    """One risk of the visit and its audit row (the caller holds ``lock_for_records``)."""
    if not description.strip():
        raise ValidationError({"description": [_("Describe the risk.")]})
    if deadline is not None and deadline < timezone.localdate():
        raise ValidationError({"deadline": [_("The deadline cannot be in the past.")]})
    risk = Risk.objects.create(
        booking=booking,
        item=item,
        description=description.strip(),
        suggestion=suggestion.strip(),
        deadline=deadline,
        recorded_by=actor,
    )
    audit_record(obj=risk, old="", new=risk.status, actor=actor, action="risk.record")
    return risk

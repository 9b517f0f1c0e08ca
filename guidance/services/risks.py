"""Risks found in a visit. Each becomes a rectification item the business follows up: it sends evidence (signed
in, or through the booking's signed link), staff confirm it rectified or send it back. A risk is not a finding:
no penalty follows and the enterprise's grade is left as it is."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inspections.models import InspectionItem
from programs.audit import transition
from programs.models import User
from programs.uploads import EVIDENCE, check_upload

from ..models import RISK_MOVES, Booking, Risk, Session
from ._common import lock_for_records, risk_add
from .links import SIGNED_LINK


def risk_record(
    *,
    booking: Booking,
    actor: User,
    description: str,
    item: InspectionItem | None = None,
    suggestion: str = "",
    deadline: date | None = None,
    session: Session | None = None,
) -> Risk:
    """A risk found in a guidance visit becomes a rectification item. It is not a finding: no penalty follows
    and the enterprise's grade is left as it is. It belongs to ``session`` (by default the latest session held;
    while the first is under way, the one its recording makes). Once that session's letter is issued, risks
    come with a new version of it (``letter_reissue``)."""
    with transaction.atomic():
        locked, target = lock_for_records(booking, field="description", session=session)
        return risk_add(
            booking=locked,
            session=target,
            actor=actor,
            description=description,
            item=item,
            suggestion=suggestion,
            deadline=deadline,
        )


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
        check_upload(file, field="file", kinds=EVIDENCE)
        changes["evidence_file"] = file
    return transition(
        instance=risk,
        to=Risk.Status.SUBMITTED,
        actor=actor,
        allowed=RISK_MOVES,
        changes=changes,
        action="risk.evidence",
        # Without a signed-in person only the booking's signed link sends evidence; the row says so when written.
        actor_label=SIGNED_LINK if actor is None else "",
    )


def risk_confirm(*, risk: Risk, actor: User) -> Risk:
    return transition(
        instance=risk,
        to=Risk.Status.RECTIFIED,
        actor=actor,
        allowed=RISK_MOVES,
        changes={"rectified_at": timezone.now()},
        action="risk.confirm",
    )


def risk_reject(*, risk: Risk, actor: User, reason: str) -> Risk:
    """The evidence does not show the risk is gone: back to open, with the reason the enterprise will read."""
    return transition(
        instance=risk,
        to=Risk.Status.OPEN,
        actor=actor,
        allowed=RISK_MOVES,
        reason=reason,
        reason_required=True,
        action="risk.reject",
    )

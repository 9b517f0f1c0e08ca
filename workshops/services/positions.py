"""Positions (共富岗位) of a workshop: created and edited by organisers and host enterprises, closed and
reopened by hand or by the seasonal sweep."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from programs.models import User
from programs.services import audit_record, refuse_unknown_fields, transition

from ..models import POSITION_MOVES, OfferRound, Position, Registration
from .offers import offer_round_start

# What a person sets on a position; the status and the places taken follow from the registrations.
POSITION_FIELDS = (
    "workshop",
    "title",
    "category",
    "description",
    "openings",
    "pay_amount",
    "pay_unit",
    "seasonal_start",
    "seasonal_end",
    "accessible",
)


def position_create(*, actor: User | None, **fields) -> Position:
    """Create a position from ``POSITION_FIELDS``; any other field is refused by name."""
    refuse_unknown_fields(fields, POSITION_FIELDS)
    position = Position(**fields)
    position.full_clean()
    with transaction.atomic():
        position.save()
        audit_record(obj=position, field="created", old="", new=position.status, actor=actor, action="position.create")
        if position.status == Position.Status.OPEN:
            offer_round_start(position=position, reason=OfferRound.Reason.OPENED)
    return position


def position_update(*, position: Position, actor: User | None, **fields) -> Position:
    """Change the fields given (of ``POSITION_FIELDS``); openings never drop below the places already taken."""
    refuse_unknown_fields(fields, POSITION_FIELDS)
    with transaction.atomic():
        locked = Position.objects.select_for_update().get(pk=position.pk)
        if "openings" in fields and fields["openings"] < locked.accepted_count:
            raise ValidationError(
                {
                    "openings": _("%(count)d places are already taken; openings cannot be fewer.")
                    % {"count": locked.accepted_count}
                }
            )
        old_openings = locked.openings
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.full_clean()
        locked.save(update_fields=list(fields) or None)
        if "workshop" in fields:  # its registrations now belong to the new workshop's village (Registration)
            Registration.objects.filter(position=locked).update(workshop_region_code=locked.workshop.village.code)
        if locked.openings != old_openings:
            audit_record(
                obj=locked,
                field="openings",
                old=str(old_openings),
                new=str(locked.openings),
                actor=actor,
                action="position.update",
            )
        if locked.status == Position.Status.OPEN:  # more openings, another category: residents not offered yet
            offer_round_start(position=locked, reason=OfferRound.Reason.UPDATED)
    return locked


def position_close(*, position: Position, actor: User | None, reason: str = "") -> Position:
    return transition(
        instance=position,
        to=Position.Status.CLOSED,
        actor=actor,
        allowed=POSITION_MOVES,
        reason=reason,
        action="position.close",
    )


def position_reopen(*, position: Position, actor: User | None, reason: str = "") -> Position:
    with transaction.atomic():
        reopened = transition(
            instance=position,
            to=Position.Status.OPEN,
            actor=actor,
            allowed=POSITION_MOVES,
            reason=reason,
            action="position.reopen",
        )
        offer_round_start(position=reopened, reason=OfferRound.Reason.REOPENED)
    return reopened

"""Places in a slot. A place is taken with ``UPDATE slot SET booked = booked + 1 WHERE id = … AND booked <
capacity`` and the ``booked <= capacity`` check constraint backs it, so no interleaving of requests can
overbook a slot."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils.translation import gettext as _

from ..models import Slot, Theme

SLOT_FULL = "slot_full"


def slot_take(slot_id: int) -> bool:
    """Take one place, if one is free, in a single conditional UPDATE: the database decides, not Python."""
    return (
        Slot.objects.filter(pk=slot_id, booked__lt=F("capacity"), is_withdrawn=False).update(booked=F("booked") + 1)
        == 1
    )


def slot_release(slot_id: int) -> None:
    Slot.objects.filter(pk=slot_id, booked__gt=0).update(booked=F("booked") - 1)


def slot_full_error() -> ValidationError:
    return ValidationError({"slot": ValidationError(_("This slot is full; please choose another."), code=SLOT_FULL)})


def is_slot_full(exc: ValidationError) -> bool:
    return any(error.code == SLOT_FULL for error in getattr(exc, "error_dict", {}).get("slot", []))


def check_slot_fits(*, theme: Theme, slot: Slot, mode: str, errors: dict, now: datetime) -> None:
    """Add to ``errors`` why ``slot`` cannot take a visit of ``theme`` in ``mode``, if it cannot."""
    if mode not in theme.modes:
        errors.setdefault("mode", []).append(_("This theme is not offered in that mode."))
    if slot.is_withdrawn or slot.starts_at <= now:
        errors.setdefault("slot", []).append(_("This slot is no longer open; please choose another."))
    elif not slot.themes.filter(pk=theme.pk).exists():
        errors.setdefault("slot", []).append(_("This slot is not for the chosen theme."))
    elif slot.mode != mode:
        errors.setdefault("slot", []).append(_("This slot is for another mode (online / on site)."))

"""The waitlist (候补) of a full slot: a business joins it with the booking form's details; when a place frees it
is offered to the first one waiting (``offers``), held for ``GUIDANCE_WAITLIST_HOLD_HOURS``; taking it makes the
booking in the held place; an offer not taken in time lapses and the place passes to the next one waiting."""

import secrets
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from programs.audit import TransitionError, audit_record, bulk_transition, transition
from programs.models import User

from ..formatting import visit_period
from ..models import WAITLIST_MOVES, Booking, Slot, Theme, WaitlistEntry
from .bookings import booking_check, booking_create
from .links import SIGNED_LINK
from .offers import place_freed, waitlist_notify


def _new_reference() -> str:
    return f"W{timezone.localdate():%y%m%d}-{secrets.token_hex(3).upper()}"


def waitlist_position(entry: WaitlistEntry) -> int:
    """1 for the first one waiting."""
    return (
        WaitlistEntry.objects.filter(slot_id=entry.slot_id, status=WaitlistEntry.Status.WAITING)
        .filter(created_at__lte=entry.created_at)
        .exclude(created_at=entry.created_at, id__gt=entry.pk)
        .count()
    )


def waitlist_join(
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
) -> WaitlistEntry:
    """Join the waitlist of a full slot, with the same details and checks as a booking. Should a place be
    free by now, it is offered at once (so nobody waits for a place nobody else wants)."""
    now = timezone.now()
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
        now=now,
    )
    waiting = (WaitlistEntry.Status.WAITING, WaitlistEntry.Status.OFFERED)
    if (
        not errors
        and WaitlistEntry.objects.filter(slot=slot, contact_phone=values["contact_phone"], status__in=waiting).exists()
    ):
        errors.setdefault("slot", []).append(_("This phone number is already on this time's waitlist."))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        entry = WaitlistEntry.objects.create(
            reference=_new_reference(),
            theme=theme,
            slot=slot,
            enterprise=values["enterprise"],
            business_name=values["business_name"],
            credit_code=values["credit_code"],
            contact_name=values["contact_name"],
            contact_phone=values["contact_phone"],
            contact_email=values["contact_email"],
            address=values["address"],
            needs=values["needs"],
            consent_at=now,
            created_by=actor if actor is not None and actor.is_authenticated else None,
        )
        audit_record(
            obj=entry, old="", new=entry.status, actor=actor, reason=_("Joined the waitlist"), action="waitlist.join"
        )
        entry.slot = Slot.objects.select_related("region").get(pk=slot.pk)
        waitlist_notify(
            entry,
            key=f"guidance:waitlist:{entry.pk}:joined",
            subject=_("You are on the waitlist for %(when)s")
            % {"when": visit_period(slot.starts_at, slot.ends_at, year=True)},
            body=_(
                "The time you chose is full. You are number %(position)s on its waitlist: if a place frees, we "
                "offer it to you by SMS and email and hold it for you for a while."
            )
            % {"position": waitlist_position(entry)},
        )
    return entry


def _move(entry: WaitlistEntry, to: str, actor: User | None, *, action: str, reason: str = "", changes=None):
    return transition(
        instance=entry,
        to=to,
        actor=actor,
        allowed=WAITLIST_MOVES,
        reason=reason,
        changes=changes,
        action=action,
        actor_label=SIGNED_LINK if actor is None else "",
    )


def waitlist_accept(*, entry: WaitlistEntry, actor: User | None) -> Booking:
    """Take the offered place: the booking is made in the place held for the entry, with its details."""
    now = timezone.now()
    with transaction.atomic():
        locked = WaitlistEntry.objects.select_for_update().select_related("theme", "slot").get(pk=entry.pk)
        if locked.status != WaitlistEntry.Status.OFFERED or locked.offer_expires_at <= now:
            raise TransitionError(
                _("This offer is no longer open: it lapsed or the place went to someone else."), code="offer_closed"
            )
        booking = booking_create(
            theme=locked.theme,
            slot=locked.slot,
            mode=locked.slot.mode,
            business_name=locked.business_name,
            credit_code=locked.credit_code,
            not_registered=not locked.credit_code,
            contact_name=locked.contact_name,
            contact_phone=locked.contact_phone,
            contact_email=locked.contact_email,
            address=locked.address,
            needs=locked.needs,
            consent=True,
            actor=actor,
            held_place=True,
        )
        _move(locked, WaitlistEntry.Status.BOOKED, actor, action="waitlist.book", changes={"booking": booking})
    return booking


def waitlist_leave(*, entry: WaitlistEntry, actor: User | None) -> WaitlistEntry:
    """Leave the waitlist; a place offered and not wanted passes to the next one waiting at once."""
    with transaction.atomic():
        locked = WaitlistEntry.objects.select_for_update().get(pk=entry.pk)
        was_offered = locked.status == WaitlistEntry.Status.OFFERED
        left = _move(locked, WaitlistEntry.Status.LEFT, actor, action="waitlist.leave")
        if was_offered:
            place_freed(locked.slot_id)
    return left


def waitlist_offers_expire(*, now: datetime | None = None) -> int:
    """The periodic sweep: offers not taken in time lapse (each claimed once, ``SKIP LOCKED``), their holders
    are told, and each held place passes to the next one waiting, or back to the slot. Returns how many lapsed."""
    now = now or timezone.now()
    lapsed = WaitlistEntry.objects.filter(status=WaitlistEntry.Status.OFFERED, offer_expires_at__lte=now)
    expired = bulk_transition(
        lapsed,
        to=WaitlistEntry.Status.EXPIRED,
        reason=_("The offer was not taken in time."),
        now=now,
        action="waitlist.expire",
        after=lambda ids: _pass_on(ids, now),
    )
    return len(expired)


def _pass_on(entry_ids: list[int], now: datetime) -> None:
    for entry in WaitlistEntry.objects.filter(pk__in=entry_ids).select_related("theme", "slot__region").order_by("pk"):
        waitlist_notify(
            entry,
            key=f"guidance:waitlist:{entry.pk}:lapsed",
            subject=_("The place offered to you has passed on"),
            body=_("The place held for you was not taken in time and has passed to the next business waiting."),
        )
        place_freed(entry.slot_id, now=now)


def waitlist_close(*, slot: Slot, actor: User | None, reason: str) -> int:
    """The slot is withdrawn: everyone still waiting (or offered a place) is told; returns how many."""
    open_entries = WaitlistEntry.objects.filter(
        slot=slot, status__in=[WaitlistEntry.Status.WAITING, WaitlistEntry.Status.OFFERED]
    )
    closed = bulk_transition(
        open_entries, to=WaitlistEntry.Status.CLOSED, reason=reason, actor=actor, action="waitlist.close"
    )
    for entry in WaitlistEntry.objects.filter(pk__in=closed).select_related("theme", "slot__region"):
        waitlist_notify(
            entry,
            key=f"guidance:waitlist:{entry.pk}:closed",
            subject=_("The time you were waiting for is withdrawn"),
            body=_("The office withdrew this time: %(reason)s Please book another time.") % {"reason": reason},
        )
    return len(closed)

"""Slots: published one by one by a coordinator, made ahead from the weekly templates, withdrawn when the office
cannot come after all."""

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from programs.audit import audit_record
from programs.models import Region, User

from ..models import Booking, Slot, SlotTemplate, Theme
from .bookings import booking_cancel
from .offers import places_offer_free
from .waitlist import waitlist_close


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
        audit_record(
            obj=slot, field="withdrawn", old="", new="withdrawn", actor=actor, reason=reason, action="slot.withdraw"
        )
        open_bookings = Booking.objects.filter(
            slot=slot, status__in=[Booking.Status.REQUESTED, Booking.Status.CONFIRMED]
        )
        waitlist_close(slot=slot, actor=actor, reason=reason)
        cancelled = 0
        for booking in open_bookings:
            booking_cancel(
                booking=booking,
                actor=actor,
                reason=_("The office withdrew this time: %(reason)s Please book another time.") % {"reason": reason},
            )
            cancelled += 1
    return cancelled


def slot_capacity_change(*, slot: Slot, capacity: int, actor: User | None) -> int:
    """Change how many a slot takes: never below the places already taken (one conditional UPDATE, the check
    constraint behind it); a raised capacity offers its new places to the waitlist first. Returns how many
    were offered."""
    with transaction.atomic():
        old = Slot.objects.select_for_update().values_list("capacity", flat=True).get(pk=slot.pk)
        if not Slot.objects.filter(pk=slot.pk, booked__lte=capacity).update(capacity=capacity):
            raise ValidationError(
                {"capacity": _("More places are taken already; the capacity cannot be lower than that.")}
            )
        audit_record(obj=slot, field="capacity", old=str(old), new=str(capacity), actor=actor, action="slot.capacity")
        return places_offer_free(slot.pk) if capacity > old else 0


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

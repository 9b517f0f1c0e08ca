"""Builders for guidance tests, on top of the shared factories."""

from datetime import timedelta

from django.utils import timezone

from guidance import services
from guidance.models import Booking, Mode, Slot, Theme
from inspections.models import InspectionItem
from programs.models import Department
from tests.factories import DepartmentFactory, region_tree

_n = iter(range(1, 10**6))


def make_theme(**kw) -> Theme:
    n = next(_n)
    departments = kw.pop("departments", None)
    theme = Theme.objects.create(code=kw.pop("code", f"theme-{n}"), title=kw.pop("title", f"主题{n}"), **kw)
    department = DepartmentFactory(kind=Department.Kind.FIRE_RESCUE, region=region_tree()["county"])
    theme.departments.set(departments if departments is not None else [department])
    item = InspectionItem.objects.create(
        code=f"T-ITEM-{n}", name=f"检查事项{n}", department=department, field="消防安全", simple=True
    )
    theme.items.set([item])
    return theme


def make_slot(theme: Theme, *, starts_in=timedelta(days=3), capacity=3, mode=Mode.ONSITE, region=None) -> Slot:
    starts = timezone.now() + starts_in
    slot = Slot.objects.create(
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        mode=mode,
        capacity=capacity,
        region=region or region_tree()["county"],
    )
    slot.themes.set([theme])
    return slot


def book(slot: Slot, *, theme: Theme | None = None, actor=None, **kw) -> Booking:
    theme = theme or slot.themes.get()
    fields = {
        "mode": slot.mode,
        "business_name": "周女士的面馆（筹）",
        "not_registered": True,
        "contact_name": "周女士",
        "contact_phone": "13900000001",
        "contact_email": "zhou@example.cn",
        "address": "梅山街道1号",
        "needs": "油烟净化器装在哪里？",
        "consent": True,
        **kw,
    }
    return services.booking_create(theme=theme, slot=slot, actor=actor, **fields)


def visit_started(booking: Booking) -> Booking:
    """Move the booking's slot to an hour ago: the visit is under way (services refuse to book the past)."""
    starts = timezone.now() - timedelta(hours=1)
    Slot.objects.filter(pk=booking.slot_id).update(starts_at=starts, ends_at=starts + timedelta(hours=2))
    booking.refresh_from_db()
    return booking

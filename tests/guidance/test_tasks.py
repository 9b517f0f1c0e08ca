"""Scheduled work: slots from weekly templates (idempotent), escalation of unconfirmed bookings (once)."""

from datetime import time, timedelta

import pytest
from django.utils import timezone

from guidance import services, tasks
from guidance.models import Booking, Mode, Slot, SlotTemplate
from programs.models import AuditEntry, Notification
from programs.schedule import declared_periodic_tasks
from tests.factories import coordinator, region_tree

from .factories import BookingFactory, SlotFactory, ThemeFactory

pytestmark = pytest.mark.django_db


def weekly(theme, *, weekday=2, start=time(9, 0), end=time(11, 0), **kw):
    template = SlotTemplate.objects.create(
        weekday=weekday,
        start_time=start,
        end_time=end,
        mode=kw.pop("mode", Mode.ONSITE),
        capacity=kw.pop("capacity", 3),
        region=kw.pop("region", region_tree()["county"]),
        **kw,
    )
    template.themes.set([theme])
    return template


def test_weekly_templates_become_slots_some_weeks_ahead_and_a_second_run_adds_nothing(settings):
    settings.GUIDANCE_SLOT_WEEKS_AHEAD = 4
    theme = ThemeFactory()
    template = weekly(theme)
    first = tasks.generate_slots.delay().get()
    assert first in (3, 4)  # this week's Wednesday may have passed already
    assert tasks.generate_slots.delay().get() == 0
    slots = list(Slot.objects.filter(template=template))
    assert len(slots) == first
    for slot in slots:
        local = timezone.localtime(slot.starts_at)
        assert (local.weekday(), local.strftime("%H:%M"), str(local.tzinfo)) == (2, "09:00", "Asia/Shanghai")
        assert list(slot.themes.all()) == [theme]
        assert slot.starts_at > timezone.now()
    assert len({s.starts_at for s in slots}) == len(slots)


def test_an_inactive_template_makes_no_slots():
    weekly(ThemeFactory(), is_active=False)
    assert services.slots_generate(weeks=2) == 0


def test_the_guidance_sweeps_are_in_the_one_beat_schedule():
    tasks_declared = {task for task, _seconds in declared_periodic_tasks().values()}
    assert {"guidance.generate_slots", "guidance.escalate_unconfirmed_bookings"} <= tasks_declared


def test_a_booking_left_unconfirmed_is_escalated_to_the_regions_coordinators_once(settings):
    settings.GUIDANCE_ESCALATE_AFTER_HOURS = 24
    here = coordinator()
    city = coordinator(region=region_tree()["city"])
    elsewhere = coordinator(region=region_tree("330206", "北仑区")["county"])
    slot = SlotFactory(region=region_tree()["town"])
    old, fresh, confirmed = BookingFactory(slot=slot), BookingFactory(slot=slot), BookingFactory(slot=slot)
    services.booking_confirm(booking=confirmed, actor=here)
    Booking.objects.filter(pk__in=[old.pk, confirmed.pk]).update(created_at=timezone.now() - timedelta(hours=25))
    assert tasks.escalate_unconfirmed_bookings.delay().get() == 1
    assert tasks.escalate_unconfirmed_bookings.delay().get() == 0
    told = set(
        Notification.objects.filter(dedupe_key__startswith=f"guidance:booking:{old.pk}:escalated").values_list(
            "recipient", flat=True
        )
    )
    assert told == {here.pk, city.pk}
    assert elsewhere.pk not in told
    assert not Notification.objects.filter(dedupe_key__contains=f"booking:{fresh.pk}:escalated").exists()
    entry = AuditEntry.objects.get(object_id=old.pk, field="escalated")
    assert entry.actor_label == "scheduler"
    assert Booking.objects.get(pk=old.pk).escalated_at is not None

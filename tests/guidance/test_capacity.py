"""A slot is never overbooked: the conditional UPDATE takes a place, the check constraint backs it."""

from functools import partial

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F

from guidance import services
from guidance.models import Booking, Slot
from programs.models import AuditEntry
from tests.conftest import failures, released_together
from tests.factories import EnterpriseFactory, coordinator, enterprise_user

from .factories import BookingFactory, SlotFactory, ThemeFactory, booking_body


@pytest.mark.django_db
def test_a_full_slot_refuses_the_next_booking_with_a_clear_answer():
    slot = SlotFactory(capacity=2)
    BookingFactory(slot=slot)
    BookingFactory(slot=slot)
    with pytest.raises(ValidationError) as refused:
        BookingFactory(slot=slot)
    assert services.is_slot_full(refused.value)
    slot.refresh_from_db()
    assert (slot.booked, Booking.objects.count()) == (2, 2)


@pytest.mark.django_db
def test_the_database_itself_refuses_more_bookings_than_places():
    slot = SlotFactory(capacity=1)
    BookingFactory(slot=slot)
    with pytest.raises(IntegrityError), transaction.atomic():
        Slot.objects.filter(pk=slot.pk).update(booked=F("booked") + 1)


@pytest.mark.django_db
def test_cancelling_gives_the_place_back():
    slot = SlotFactory(capacity=1)
    booking = BookingFactory(slot=slot)
    services.booking_cancel(booking=booking, actor=coordinator(), reason="企业另有安排")
    slot.refresh_from_db()
    assert slot.booked == 0
    BookingFactory(slot=slot)  # the place is free again


@pytest.mark.django_db
def test_a_reschedule_moves_the_place_from_the_old_slot_to_the_new_one():
    theme = ThemeFactory()
    old, new = SlotFactory(themes=[theme], capacity=1), SlotFactory(themes=[theme], capacity=1)
    booking = BookingFactory(slot=old)
    services.booking_reschedule(booking=booking, slot=new, actor=None, reason="时间冲突")
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.booked, new.booked) == (0, 1)
    booking.refresh_from_db()
    assert (booking.slot_id, booking.time_version) == (new.pk, 2)
    entry = AuditEntry.objects.get(field="slot", object_id=booking.pk)
    assert (entry.actor_label, entry.reason) == ("signed link", "时间冲突")


@pytest.mark.django_db
def test_a_reschedule_into_a_full_slot_changes_nothing():
    theme = ThemeFactory()
    old, full = SlotFactory(themes=[theme], capacity=1), SlotFactory(themes=[theme], capacity=1)
    booking = BookingFactory(slot=old)
    BookingFactory(slot=full)
    with pytest.raises(ValidationError):
        services.booking_reschedule(booking=booking, slot=full, actor=None)
    old.refresh_from_db()
    full.refresh_from_db()
    booking.refresh_from_db()
    assert (old.booked, full.booked, booking.slot_id, booking.time_version) == (1, 1, old.pk, 1)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_simultaneous_requests_for_five_places_make_exactly_five_bookings(api_as):
    theme = ThemeFactory()
    slot = SlotFactory(themes=[theme], capacity=5)
    clients = [api_as(enterprise_user(EnterpriseFactory())) for _ in range(50)]
    body = booking_body(slot, theme)
    responses = released_together([partial(c.post, "/api/v1/guidance/bookings/", body, format="json") for c in clients])
    assert not failures(responses)
    statuses, bodies = [r.status_code for r in responses], [r.json() for r in responses]
    assert sorted(statuses) == [201] * 5 + [409] * 45
    full = [b for b in bodies if b.get("error")]
    assert {b["error"]["code"] for b in full} == {"slot_full"}
    slot.refresh_from_db()
    assert slot.booked == 5
    assert Booking.objects.filter(slot=slot).count() == 5


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_crossing_reschedules_at_the_same_moment_neither_deadlock_nor_overbook():
    theme = ThemeFactory()
    a, b = SlotFactory(themes=[theme], capacity=2), SlotFactory(themes=[theme], capacity=2)
    from_a = [BookingFactory(slot=a) for _ in range(2)]
    from_b = [BookingFactory(slot=b) for _ in range(2)]
    coordinator_user = coordinator()
    moves = [partial(services.booking_reschedule, booking=x, slot=b, actor=coordinator_user) for x in from_a]
    moves += [partial(services.booking_reschedule, booking=x, slot=a, actor=coordinator_user) for x in from_b]
    results = released_together(moves)
    assert not failures(results, expected=(ValidationError,))  # "full" is a fair answer
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.booked == Booking.objects.filter(slot=a).count() <= 2
    assert b.booked == Booking.objects.filter(slot=b).count() <= 2
    assert a.booked + b.booked == 4


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_form_sent_twice_at_the_same_moment_makes_one_booking_and_takes_one_place():
    slot = SlotFactory(capacity=5)
    bookings = released_together([lambda: BookingFactory(slot=slot, submission_key="a1b2c3d4e5f6")] * 2)
    assert not failures(bookings)
    assert len({booking.pk for booking in bookings}) == 1
    slot.refresh_from_db()
    assert (slot.booked, Booking.objects.count()) == (1, 1)

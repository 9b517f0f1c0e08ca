"""A slot is never overbooked: the conditional UPDATE takes a place, the check constraint backs it."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F

from guidance import services
from guidance.models import Booking, Slot
from programs.models import AuditEntry
from tests.factories import EnterpriseFactory, coordinator, enterprise_user

from .factories import book, make_slot, make_theme


@pytest.mark.django_db
def test_a_full_slot_refuses_the_next_booking_with_a_clear_answer():
    slot = make_slot(make_theme(), capacity=2)
    book(slot)
    book(slot)
    with pytest.raises(ValidationError) as refused:
        book(slot)
    assert services.is_slot_full(refused.value)
    slot.refresh_from_db()
    assert (slot.booked, Booking.objects.count()) == (2, 2)


@pytest.mark.django_db
def test_the_database_itself_refuses_more_bookings_than_places():
    slot = make_slot(make_theme(), capacity=1)
    book(slot)
    with pytest.raises(IntegrityError), transaction.atomic():
        Slot.objects.filter(pk=slot.pk).update(booked=F("booked") + 1)


@pytest.mark.django_db
def test_cancelling_gives_the_place_back():
    slot = make_slot(make_theme(), capacity=1)
    booking = book(slot)
    services.booking_cancel(booking=booking, actor=coordinator(), reason="企业另有安排")
    slot.refresh_from_db()
    assert slot.booked == 0
    book(slot)  # the place is free again


@pytest.mark.django_db
def test_a_reschedule_moves_the_place_from_the_old_slot_to_the_new_one():
    theme = make_theme()
    old, new = make_slot(theme, capacity=1), make_slot(theme, capacity=1)
    booking = book(old)
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
    theme = make_theme()
    old, full = make_slot(theme, capacity=1), make_slot(theme, capacity=1)
    booking = book(old)
    book(full)
    with pytest.raises(ValidationError):
        services.booking_reschedule(booking=booking, slot=full, actor=None)
    old.refresh_from_db()
    full.refresh_from_db()
    booking.refresh_from_db()
    assert (old.booked, full.booked, booking.slot_id, booking.time_version) == (1, 1, old.pk, 1)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_simultaneous_requests_for_five_places_make_exactly_five_bookings(api_as):
    theme = make_theme()
    slot = make_slot(theme, capacity=5)
    clients = [api_as(enterprise_user(EnterpriseFactory())) for _ in range(50)]
    barrier = threading.Barrier(50)
    statuses, bodies, errors = [], [], []

    def request(client):
        try:
            barrier.wait()
            response = client.post(
                "/api/v1/guidance/bookings/",
                {
                    "theme": theme.pk,
                    "slot": slot.pk,
                    "contact_name": "王先生",
                    "contact_phone": "13800000000",
                    "address": "测试路1号",
                    "consent": True,
                },
                format="json",
            )
            statuses.append(response.status_code)
            bodies.append(response.json())
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=request, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(statuses) == [201] * 5 + [409] * 45
    full = [b for b in bodies if b.get("error")]
    assert {b["error"]["code"] for b in full} == {"slot_full"}
    slot.refresh_from_db()
    assert slot.booked == 5
    assert Booking.objects.filter(slot=slot).count() == 5


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_crossing_reschedules_at_the_same_moment_neither_deadlock_nor_overbook():
    theme = make_theme()
    a, b = make_slot(theme, capacity=2), make_slot(theme, capacity=2)
    from_a = [book(a) for _ in range(2)]
    from_b = [book(b) for _ in range(2)]
    barrier = threading.Barrier(4)
    errors = []

    def move(booking, to):
        try:
            barrier.wait()
            services.booking_reschedule(booking=booking, slot=to, actor=coordinator_user)
        except ValidationError:
            pass  # "full" is a fair answer
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    coordinator_user = coordinator()
    threads = [threading.Thread(target=move, args=(x, b)) for x in from_a]
    threads += [threading.Thread(target=move, args=(x, a)) for x in from_b]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.booked == Booking.objects.filter(slot=a).count() <= 2
    assert b.booked == Booking.objects.filter(slot=b).count() <= 2
    assert a.booked + b.booked == 4


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_form_sent_twice_at_the_same_moment_makes_one_booking_and_takes_one_place():
    slot = make_slot(make_theme(), capacity=5)
    barrier = threading.Barrier(2)
    answers, errors = [], []

    def submit():
        try:
            barrier.wait()
            answers.append(book(slot, submission_key="a1b2c3d4e5f6").pk)
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(set(answers)) == 1
    slot.refresh_from_db()
    assert (slot.booked, Booking.objects.count()) == (1, 1)

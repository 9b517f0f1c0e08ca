"""The waitlist (候补) of a full slot: the first one waiting is offered a freed place by SMS and email, held for
``GUIDANCE_WAITLIST_HOLD_HOURS``; an offer not taken passes on; each place is offered once, even when places
free at the same moment; the slot is never overbooked."""

import re
from datetime import timedelta
from functools import partial

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from guidance import services
from guidance.models import Booking, Slot, WaitlistEntry
from guidance.tasks import expire_waitlist_offers
from programs.audit import TransitionError
from programs.models import Notification
from programs.services import notifications_send_due
from tests.conftest import CeleryWorker, failures, released_together, wait_until
from tests.factories import coordinator

from .factories import BookingFactory, SlotFactory
from .test_form import form_data

pytestmark = pytest.mark.django_db


def join(slot, n: int) -> WaitlistEntry:
    return services.waitlist_join(
        theme=slot.themes.get(),
        slot=slot,
        mode=slot.mode,
        not_registered=True,
        business_name=f"候补企业{n}",
        contact_name=f"候补{n}",
        contact_phone=f"1370000000{n}",
        contact_email=f"wait{n}@example.cn",
        address="梅山街道2号",
        consent=True,
        actor=None,
    )


def full_slot(capacity=1) -> tuple[Slot, list[Booking]]:
    slot = SlotFactory(capacity=capacity)
    bookings = [BookingFactory(slot=slot, contact_phone=f"1390000000{i}") for i in range(capacity)]
    return slot, bookings


def test_choosing_a_full_time_on_the_form_joins_its_waitlist(client):
    slot, _ = full_slot()
    response = client.post(f"/guidance/book/{slot.themes.get().code}/", form_data(slot, contact_phone="13700000009"))
    assert response.status_code == 302 and "/guidance/waitlist/" in response["Location"]
    entry = WaitlistEntry.objects.get()
    assert (entry.status, entry.slot, entry.contact_phone) == ("waiting", slot, "13700000009")
    page = client.get(response["Location"])
    assert entry.reference in page.text and "第 1 位" in page.text
    assert Notification.objects.filter(dedupe_key=f"guidance:waitlist:{entry.pk}:joined:sms").exists()


def test_a_cancellation_offers_the_place_to_the_first_waiting_who_takes_it(settings):
    settings.GUIDANCE_WAITLIST_HOLD_HOURS = 6
    slot, (booking,) = full_slot()
    first, second = join(slot, 1), join(slot, 2)
    services.booking_cancel(booking=booking, actor=None, reason="不需要了")
    first.refresh_from_db(), second.refresh_from_db(), slot.refresh_from_db()
    assert (first.status, second.status, slot.booked) == ("offered", "waiting", 1)  # the place is held
    assert abs(first.offer_expires_at - (first.offered_at + timedelta(hours=6))) < timedelta(seconds=1)
    sms = Notification.objects.get(dedupe_key=f"guidance:waitlist:{first.pk}:offer:sms")
    link = re.search(r"http\S+/guidance/waitlist/\S+/", sms.body).group(0)
    notifications_send_due()
    assert any(m.to == ["wait1@example.cn"] and link in m.body for m in mail.outbox)
    taken = Client().post(link.split("8000", 1)[1] + "accept/")
    assert taken.status_code == 302 and "/guidance/manage/" in taken["Location"]
    first.refresh_from_db(), slot.refresh_from_db()
    assert first.status == "booked" and first.booking.slot == slot and first.booking.status == "requested"
    assert slot.booked == 1 == Booking.objects.filter(slot=slot, status="requested").count()


def test_an_unanswered_offer_passes_to_the_next_and_then_back_to_the_slot():
    slot, (booking,) = full_slot()
    first, second = join(slot, 1), join(slot, 2)
    services.booking_cancel(booking=booking, actor=None, reason="不需要了")
    WaitlistEntry.objects.filter(pk=first.pk).update(offer_expires_at=timezone.now() - timedelta(minutes=1))
    assert services.waitlist_offers_expire() == 1
    first.refresh_from_db(), second.refresh_from_db(), slot.refresh_from_db()
    assert (first.status, second.status, slot.booked) == ("expired", "offered", 1)
    assert services.waitlist_offers_expire() == 0  # run again: nothing more
    WaitlistEntry.objects.filter(pk=second.pk).update(offer_expires_at=timezone.now() - timedelta(minutes=1))
    services.waitlist_offers_expire()
    slot.refresh_from_db()
    assert slot.booked == 0  # nobody left waiting: the place is free again
    with pytest.raises(TransitionError):
        services.waitlist_accept(entry=second, actor=None)


def test_a_raised_capacity_offers_its_new_places_to_those_waiting_and_is_audited():
    slot, _ = full_slot()
    waiting = [join(slot, n) for n in (1, 2, 3)]
    assert services.slot_capacity_change(slot=slot, capacity=3, actor=coordinator(region=slot.region)) == 2
    statuses = [WaitlistEntry.objects.get(pk=e.pk).status for e in waiting]
    slot.refresh_from_db()
    assert statuses == ["offered", "offered", "waiting"] and (slot.capacity, slot.booked) == (3, 3)
    with pytest.raises(ValidationError):
        services.slot_capacity_change(slot=slot, capacity=2, actor=None)


def test_leaving_with_an_offer_passes_it_on_at_once():
    slot, (booking,) = full_slot()
    first, second = join(slot, 1), join(slot, 2)
    services.booking_cancel(booking=booking, actor=None, reason="不需要了")
    services.waitlist_leave(entry=first, actor=None)
    second.refresh_from_db()
    assert second.status == "offered"


def test_a_phone_already_waiting_cannot_join_twice():
    slot, _ = full_slot()
    join(slot, 1)
    with pytest.raises(ValidationError) as refused:
        join(slot, 1)
    assert "slot" in refused.value.message_dict


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_places_freed_at_the_same_moment_are_each_offered_once_to_different_businesses():
    slot, bookings = full_slot(capacity=3)
    waiting = [join(slot, n) for n in range(1, 5)]
    results = released_together(
        [partial(services.booking_cancel, booking=b, actor=None, reason="同时取消") for b in bookings]
    )
    assert not failures(results)
    statuses = [WaitlistEntry.objects.get(pk=e.pk).status for e in waiting]
    assert sorted(statuses) == ["offered", "offered", "offered", "waiting"]
    offers = Notification.objects.filter(dedupe_key__startswith="guidance:waitlist:", dedupe_key__endswith=":offer:sms")
    assert offers.count() == 3 == len({n.address for n in offers})
    slot.refresh_from_db()
    assert slot.booked == 3 <= slot.capacity


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_passes_a_lapsed_offer_to_the_next_one_waiting(tmp_path):
    slot, (booking,) = full_slot()
    first, second = join(slot, 1), join(slot, 2)
    services.booking_cancel(booking=booking, actor=None, reason="不需要了")
    WaitlistEntry.objects.filter(pk=first.pk).update(offer_expires_at=timezone.now() - timedelta(minutes=1))
    worker = CeleryWorker(queue="waitlist-test", log_path=tmp_path / "worker.log")
    try:
        expire_waitlist_offers.apply_async(queue="waitlist-test")
        wait_until(
            lambda: WaitlistEntry.objects.get(pk=second.pk).status == "offered", timeout=90, message="offer passed on"
        )
    finally:
        worker.stop()
    assert WaitlistEntry.objects.get(pk=first.pk).status == "expired"
    assert Notification.objects.filter(dedupe_key=f"guidance:waitlist:{second.pk}:offer:sms").count() == 1

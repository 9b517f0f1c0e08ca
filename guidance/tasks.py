"""Scheduled work of the guidance app. Reminders and surveys are outbox rows with due times, sent by the
core's sweep; these tasks make slots ahead, escalate unconfirmed bookings and pass lapsed waitlist offers on.
All are idempotent."""

from celery import shared_task

from . import services


@shared_task(name="guidance.generate_slots")
def generate_slots() -> int:
    return services.slots_generate()


@shared_task(name="guidance.escalate_unconfirmed_bookings")
def escalate_unconfirmed_bookings() -> int:
    return services.bookings_escalate_unconfirmed()


@shared_task(name="guidance.expire_waitlist_offers")
def expire_waitlist_offers() -> int:
    return services.waitlist_offers_expire()

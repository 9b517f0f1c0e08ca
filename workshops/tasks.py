"""Scheduled sweeps of the workshops app. Each is set-based and idempotent: a second run, or two at once,
has no second effect (see the services they call)."""

from celery import shared_task

from . import services


@shared_task(name="workshops.remind_waiting_registrations")
def remind_waiting_registrations() -> int:
    return services.registrations_remind()


@shared_task(name="workshops.expire_registrations")
def expire_registrations() -> int:
    return services.registrations_expire()


@shared_task(name="workshops.close_seasonal_positions")
def close_seasonal_positions() -> int:
    return services.positions_close_seasonal()

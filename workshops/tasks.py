"""Scheduled sweeps of the workshops app. Each is set-based and idempotent: a second run, or two at once,
has no second effect (see the services they call)."""

from celery import shared_task

from programs.queue import resend_stalled

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


@shared_task(name="workshops.send_job_offers")
def send_job_offers(offer_round_id: int) -> int:
    return services.job_offers_send(offer_round_id=offer_round_id)


@shared_task(name="workshops.requeue_stalled_offer_rounds")
def requeue_stalled_offer_rounds() -> int:
    return resend_stalled(task_name="workshops.send_job_offers", queryset=services.stalled_offer_rounds())

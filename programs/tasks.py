"""Tasks of the shared core, and ``enqueue_on_commit``: how every app sends a task."""

import logging

from celery import shared_task
from django.conf import settings
from django.db import transaction

from .idempotency import idempotency_records_purge
from .services import notifications_send_due

logger = logging.getLogger(__name__)


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Send ``task`` once the current transaction commits, so the worker sees the rows it is given.

    If the broker is down the request still succeeds: the work is in the database (outbox rows, statuses
    with due times) and the scheduled sweeps pick it up once the broker is back.
    """

    def publish():
        try:
            task.apply_async(args=args, kwargs=kwargs, retry=True, retry_policy=settings.CELERY_PUBLISH_RETRY_POLICY)
        except Exception as exc:  # the broker is unreachable; the sweeps are the safety net
            logger.warning("could not queue %s: %s", task.name, type(exc).__name__)

    transaction.on_commit(publish)


@shared_task(name="programs.send_due_notifications")
def send_due_notifications() -> int:
    return notifications_send_due()


@shared_task(name="programs.run_import_job")
def run_import_job(job_id: int) -> None:
    from .imports import import_job_run

    import_job_run(job_id=job_id)


@shared_task(name="programs.requeue_stalled_imports")
def requeue_stalled_imports() -> int:
    """Import jobs still queued a while after confirmation (their task was lost to a broker outage) are
    sent again; the run claims the job, so a job sent twice is imported once."""
    from .imports import stalled_import_jobs

    job_ids = list(stalled_import_jobs().values_list("pk", flat=True))
    for job_id in job_ids:
        run_import_job.delay(job_id)
    return len(job_ids)


@shared_task(name="programs.purge_idempotency_records")
def purge_idempotency_records() -> int:
    return idempotency_records_purge()

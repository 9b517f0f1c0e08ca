"""Sending tasks: by their registered name, after the transaction commits.

A service names the task it sends (``"inspections.coordinate_month"``) instead of importing the tasks module,
so tasks import services and never the reverse."""

import logging

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from kombu.exceptions import OperationalError

from .celery import app

logger = logging.getLogger(__name__)


def publish(task_name: str, *args, **kwargs) -> bool:
    """Send the task now; ``False`` when the broker cannot be reached (the work is already in the database, and
    the stalled-job sweeps send it again once the broker is back). Any other error is a bug and is raised."""
    try:
        app.tasks[task_name].apply_async(
            args=args, kwargs=kwargs, retry=True, retry_policy=settings.CELERY_PUBLISH_RETRY_POLICY
        )
    except OperationalError as exc:
        logger.warning("could not queue %s: %s", task_name, type(exc).__name__)
        return False
    return True


def enqueue_on_commit(task_name: str, *args, **kwargs) -> None:
    """Send the task once the current transaction commits, so the worker sees the rows it is given."""
    transaction.on_commit(lambda: publish(task_name, *args, **kwargs))


def resend_stalled(*, task_name: str, queryset: QuerySet) -> int:
    """The one re-sender of stalled jobs: sends ``task_name`` again for each row of ``queryset`` (jobs queued a
    while ago whose task was lost); the task claims its row, so a job sent twice runs once."""
    sent = 0
    for pk in queryset.values_list("pk", flat=True):
        sent += publish(task_name, pk)
    return sent

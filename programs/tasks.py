"""Tasks of the shared core. Tasks take ids and call services; services send tasks by name
(``programs.queue.enqueue_on_commit``), so nothing here is imported by a service."""

from celery import shared_task

from .broker import delivered_broker_messages_purge
from .export_jobs import export_job_run, export_jobs_expire, export_jobs_interrupted, stalled_export_jobs
from .heartbeat import heartbeat_record
from .idempotency import idempotency_records_purge
from .imports import import_job_run, stalled_import_jobs
from .payments import NotificationNotDelivered, payment_orders_expire, simulated_notification_post
from .queue import resend_stalled
from .services import notifications_send_due


@shared_task(name="programs.send_due_notifications")
def send_due_notifications() -> int:
    return notifications_send_due()


@shared_task(name="programs.run_import_job")
def run_import_job(job_id: int) -> None:
    import_job_run(job_id=job_id)


@shared_task(name="programs.requeue_stalled_imports")
def requeue_stalled_imports() -> int:
    """Import jobs still queued a while after confirmation (their task was lost to a broker outage) are
    sent again; the run claims the job, so a job sent twice is imported once."""
    return resend_stalled(task_name="programs.run_import_job", queryset=stalled_import_jobs())


@shared_task(name="programs.run_export_job")
def run_export_job(job_id: int) -> None:
    export_job_run(job_id=job_id)


@shared_task(name="programs.requeue_stalled_exports")
def requeue_stalled_exports() -> int:
    """Export jobs still queued a while after the request (their task was lost) are sent again; the run claims
    the job, so a job sent twice is written once. Runs silent too long (their worker died) are marked failed."""
    export_jobs_interrupted()
    return resend_stalled(task_name="programs.run_export_job", queryset=stalled_export_jobs())


@shared_task(name="programs.expire_exports")
def expire_exports() -> int:
    return export_jobs_expire()


@shared_task(name="programs.purge_idempotency_records")
def purge_idempotency_records() -> int:
    return idempotency_records_purge()


@shared_task(name="programs.worker_heartbeat", bind=True)
def worker_heartbeat(self) -> None:
    """Proves to /healthz that a worker takes tasks: beat sends it, the worker that runs it writes the time."""
    heartbeat_record(hostname=self.request.hostname or "")


@shared_task(name="programs.purge_delivered_broker_messages")
def purge_delivered_broker_messages() -> int:
    return delivered_broker_messages_purge()


@shared_task(name="programs.simulated_gateway_notify", bind=True, max_retries=10)
def simulated_gateway_notify(self, *, reference: str, transaction_id: str, amount: str) -> int:
    """The simulated gateway's notification of a payment, posted to the site's callback; retried with back-off
    while it cannot be delivered (a repeat is answered success and changes nothing)."""
    try:
        return simulated_notification_post(
            reference=reference, transaction_id=transaction_id, amount=amount, attempt=self.request.retries
        )
    except NotificationNotDelivered as exc:
        raise self.retry(exc=exc, countdown=min(2**self.request.retries, 60)) from None


@shared_task(name="programs.expire_payment_orders")
def expire_payment_orders() -> int:
    """Pending payment orders past the end of the day they were priced for are cancelled (idempotent)."""
    return payment_orders_expire()

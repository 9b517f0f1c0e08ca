"""Tasks of the shared core. Tasks take ids and call services; services send tasks by name
(``programs.queue.enqueue_on_commit``), so nothing here is imported by a service."""

from celery import shared_task

from .broker import delivered_broker_messages_purge
from .heartbeat import heartbeat_record
from .idempotency import idempotency_records_purge
from .imports import import_job_run, stalled_import_jobs
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

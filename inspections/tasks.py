"""Tasks of the inspections app: they take ids, call a service, and can run twice with one effect."""

from celery import shared_task

from programs.queue import resend_stalled

from . import grades, services
from .models import Inspection


@shared_task(name="inspections.coordinate_month")
def coordinate_month(coordination_id: int) -> dict:
    coordination = services.coordination_run(coordination_id=coordination_id)
    return {"status": coordination.status, "executed": coordination.executed, "cut": coordination.cut}


@shared_task(name="inspections.expire_observation_periods")
def expire_observation_periods() -> dict:
    return services.observation_periods_expire()


@shared_task(name="inspections.reconcile_grades")
def reconcile_grades() -> dict:
    return grades.grades_reconcile()


@shared_task(name="inspections.requeue_stalled_coordinations")
def requeue_stalled_coordinations() -> int:
    """Coordinations still queued a while after they were started (their task was lost to a broker outage)
    are sent again; the run claims the row, so one sent twice runs once."""
    return resend_stalled(task_name="inspections.coordinate_month", queryset=services.stalled_coordinations())


@shared_task(name="inspections.visit_documents_issue")
def visit_documents_issue(inspection_id: int) -> list[str]:
    """Sent when an inspection is completed: its record, and its rectification notice when it has findings, issued
    once; sent again, it issues nothing more."""
    inspection = Inspection.objects.get(pk=inspection_id)
    return [str(document) for document in services.visit_documents_issue(inspection=inspection)]


@shared_task(name="inspections.requeue_missing_visit_documents")
def requeue_missing_visit_documents() -> int:
    """Inspections completed in the last week, a while ago, still without their record (the task sent at
    completion was lost to a broker outage) are sent again; issuing is idempotent."""
    return resend_stalled(task_name="inspections.visit_documents_issue", queryset=services.stalled_visit_documents())

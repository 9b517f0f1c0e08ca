"""Tasks of the inspections app: they take ids, call a service, and can run twice with one effect."""

from celery import shared_task

from programs.queue import resend_stalled

from . import grades, services
from .models import Inspection, PenaltyCase
from .services import case_documents
from .services import complaints as complaint_services
from .services import fines as fine_services
from .services import repair as repair_services


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


@shared_task(name="inspections.case_documents_issue")
def case_documents_issue(case_id: int) -> list[str]:
    """Issue a penalty case's advance notice or decision once it is due; idempotent."""
    case = PenaltyCase.objects.filter(pk=case_id).first()
    if case is None:
        return []
    return [str(document) for document in case_documents.case_documents_issue(case=case)]


@shared_task(name="inspections.requeue_missing_case_documents")
def requeue_missing_case_documents() -> int:
    """Cases whose notice or decision is due a while ago and still not issued are sent again."""
    return resend_stalled(
        task_name="inspections.case_documents_issue", queryset=case_documents.stalled_case_documents()
    )


@shared_task(name="inspections.send_complaint_reminders")
def send_complaint_reminders() -> dict:
    """Remind the handling departments of acknowledgement and reply deadlines near, once each."""
    return complaint_services.complaint_reminders_send()


@shared_task(name="inspections.accrue_fine_late_fees")
def accrue_fine_late_fees() -> int:
    """The late fee of each overdue fine as of today; the day's later runs change nothing."""
    return fine_services.fine_late_fees_accrue()


@shared_task(name="inspections.escalate_overdue_requests")
def escalate_overdue_requests() -> int:
    """Enterprise requests past their deadline without an answer: escalated once each, however often it runs."""
    return services.requests_escalate_overdue()


@shared_task(name="inspections.sweep_repair_reviews")
def sweep_repair_reviews() -> dict:
    """Credit repair applications: remind the reviewers a day before the deadline, escalate past it; once each."""
    return repair_services.repair_reviews_sweep()

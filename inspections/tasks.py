"""Tasks of the inspections app: they take ids, call a service, and can run twice with one effect."""

from celery import shared_task

from programs.queue import resend_stalled

from . import grades, services


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

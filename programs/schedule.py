"""The beat schedule, declared in one place and written to django-celery-beat's tables after every
``migrate``. Rows are created when missing and otherwise left alone, so what staff change in the admin
(an interval, a disabled task) survives deploys; a task removed from this list is disabled."""

from django.db import transaction

# name → (task, every N seconds). Each task is idempotent: running it twice, or in two beats at once, has one effect.
PERIODIC_TASKS: dict[str, tuple[str, int]] = {
    # programs
    "Send due notifications": ("programs.send_due_notifications", 30),
    "Purge old idempotency keys": ("programs.purge_idempotency_records", 3600),
    "Re-send stalled imports": ("programs.requeue_stalled_imports", 60),
    # inspections
    "Expire observation periods": ("inspections.expire_observation_periods", 3600),
    "Reconcile enterprise grades": ("inspections.reconcile_grades", 3600),
    "Re-send stalled coordinations": ("inspections.requeue_stalled_coordinations", 60),
    # guidance
    "Generate guidance slots from weekly templates": ("guidance.generate_slots", 3600),
    "Escalate unconfirmed guidance bookings": ("guidance.escalate_unconfirmed_bookings", 600),
    # workshops
    "Remind of waiting workshop registrations": ("workshops.remind_waiting_registrations", 3600),
    "Expire workshop registrations nobody acted on": ("workshops.expire_registrations", 3600),
    "Close seasonal workshop positions": ("workshops.close_seasonal_positions", 3600),
}


OWN_TASKS = r"^(programs|inspections|guidance|workshops)\."


def schedule_sync() -> None:
    from django_celery_beat.models import IntervalSchedule, PeriodicTask, PeriodicTasks

    with transaction.atomic():
        for name, (task, seconds) in PERIODIC_TASKS.items():
            if PeriodicTask.objects.filter(name=name).exists():
                continue
            interval, _ = IntervalSchedule.objects.get_or_create(every=seconds, period=IntervalSchedule.SECONDS)
            PeriodicTask.objects.create(name=name, task=task, interval=interval)
        # Only tasks of this project's apps; celery's own (backend_cleanup) are left as they are.
        stale = PeriodicTask.objects.exclude(name__in=PERIODIC_TASKS).filter(task__regex=OWN_TASKS, enabled=True)
        if stale.update(enabled=False):
            PeriodicTasks.update_changed()  # a bulk update sends no signal; tell beat itself

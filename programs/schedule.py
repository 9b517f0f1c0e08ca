"""The beat schedule, assembled from what each app declares and written to django-celery-beat's tables after
every ``migrate``.

An app declares its periodic tasks on its AppConfig as ``periodic_tasks = {name: (task, every N seconds)}``;
the core reads them from the app registry and names no app. Rows are created when missing and otherwise left
alone, so what staff change in the admin (an interval, a disabled task) survives deploys; a task no app
declares any more is disabled."""

from django.apps import apps
from django.db import transaction
from django_celery_beat.models import IntervalSchedule, PeriodicTask, PeriodicTasks


def declared_periodic_tasks() -> dict[str, tuple[str, int]]:
    """Every app's declared periodic tasks, by name. Each task is idempotent: running it twice, or in two beats
    at once, has one effect."""
    declared: dict[str, tuple[str, int]] = {}
    for config in apps.get_app_configs():
        declared.update(getattr(config, "periodic_tasks", {}))
    return declared


def _own_task_prefixes() -> tuple[str, ...]:
    return tuple(f"{config.label}." for config in apps.get_app_configs() if hasattr(config, "periodic_tasks"))


def schedule_sync() -> None:
    declared = declared_periodic_tasks()
    with transaction.atomic():
        for name, (task, seconds) in declared.items():
            if PeriodicTask.objects.filter(name=name).exists():
                continue
            interval, _ = IntervalSchedule.objects.get_or_create(every=seconds, period=IntervalSchedule.SECONDS)
            PeriodicTask.objects.create(name=name, task=task, interval=interval)
        # Only tasks of this project's apps; celery's own (backend_cleanup) are left as they are.
        own = PeriodicTask.objects.none()
        for prefix in _own_task_prefixes():
            own = own | PeriodicTask.objects.filter(task__startswith=prefix)
        stale = own.exclude(name__in=declared).filter(enabled=True)
        if stale.update(enabled=False):
            PeriodicTasks.update_changed()  # a bulk update sends no signal; tell beat itself

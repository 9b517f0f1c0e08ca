from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


def _sync_schedule(sender, **kwargs):
    from .schedule import schedule_sync  # django-celery-beat's models: importable only once apps are ready

    schedule_sync()


class ProgramsConfig(AppConfig):
    name = "programs"
    verbose_name = _("Shared core")
    # name → (task, every N seconds); the core writes every app's declarations to the beat schedule.
    periodic_tasks = {
        "Send due notifications": ("programs.send_due_notifications", 30),
        "Purge old idempotency keys": ("programs.purge_idempotency_records", 3600),
        "Re-send stalled imports": ("programs.requeue_stalled_imports", 60),
        # /healthz reports the worker down when no worker has run this for WORKER_HEARTBEAT_MAX_AGE seconds.
        "Worker heartbeat": ("programs.worker_heartbeat", 30),
        "Purge delivered messages of the embedded broker": ("programs.purge_delivered_broker_messages", 3600),
    }

    def ready(self):
        # Each app's importers (imports.py) register themselves with programs.imports; each app's tasks
        # (tasks.py) register with Celery, so that a task can be sent by name from any process.
        autodiscover_modules("imports")
        autodiscover_modules("tasks")
        post_migrate.connect(_sync_schedule, sender=self, dispatch_uid="programs.schedule_sync")

from importlib import import_module

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
        "Re-send stalled exports": ("programs.requeue_stalled_exports", 60),
        "Delete expired exports": ("programs.expire_exports", 3600),
        "Expire payment orders priced for a past day": ("programs.expire_payment_orders", 300),
        # /healthz reports the worker down when no worker has run this for WORKER_HEARTBEAT_MAX_AGE seconds.
        "Worker heartbeat": ("programs.worker_heartbeat", 30),
        "Purge delivered messages of the embedded broker": ("programs.purge_delivered_broker_messages", 3600),
    }

    def ready(self):
        # Each app's importers (imports.py) register themselves with programs.imports; each app's tasks
        # (tasks.py) register with Celery, so that a task can be sent by name from any process.
        autodiscover_modules("imports")
        autodiscover_modules("tasks")
        # The grids' admin and importer build on programs.admin and programs.imports, so those cannot import them.
        import_module("programs.grid_admin")
        import_module("programs.grid_imports")
        import_module("programs.payment_admin")  # payment orders' admin, on programs.admin likewise
        post_migrate.connect(_sync_schedule, sender=self, dispatch_uid="programs.schedule_sync")

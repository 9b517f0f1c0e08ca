from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


def _sync_schedule(sender, **kwargs):
    from .schedule import schedule_sync

    schedule_sync()


class ProgramsConfig(AppConfig):
    name = "programs"
    verbose_name = _("Shared core")

    def ready(self):
        # Each app's importers (imports.py) register themselves with programs.imports.
        autodiscover_modules("imports")
        post_migrate.connect(_sync_schedule, sender=self, dispatch_uid="programs.schedule_sync")

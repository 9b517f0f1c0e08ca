from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "inspections"
    verbose_name = _("Enterprise inspections")

    # name → (task, every N seconds); the core writes them to the beat schedule (programs.schedule).
    periodic_tasks = {
        "Expire observation periods": ("inspections.expire_observation_periods", 3600),
        "Reconcile enterprise grades": ("inspections.reconcile_grades", 3600),
        "Re-send stalled coordinations": ("inspections.requeue_stalled_coordinations", 60),
        "Re-send missing visit documents": ("inspections.requeue_missing_visit_documents", 60),
    }

    def ready(self):
        from . import files  # needs the models, so not importable before the registry is ready

        files.register()

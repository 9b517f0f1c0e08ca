from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "inspections"
    verbose_name = _("Enterprise inspections")

    # name → (task, every N seconds); the core writes them to the beat schedule (programs.schedule).
    periodic_tasks = {
        "Expire observation periods": ("inspections.expire_observation_periods", 3600),
        "Reconcile enterprise grades": ("inspections.reconcile_grades", 3600),
        "Remind and escalate credit repair reviews": ("inspections.sweep_repair_reviews", 600),
        "Escalate enterprise requests past their deadline": ("inspections.escalate_overdue_requests", 600),
        "Remind departments of complaint deadlines": ("inspections.send_complaint_reminders", 600),
        "Re-send stalled coordinations": ("inspections.requeue_stalled_coordinations", 60),
        "Re-send missing visit documents": ("inspections.requeue_missing_visit_documents", 60),
        # Hourly: the late fee is computed as of the day, so the runs after the first of a day change nothing.
        "Accrue late fees of unpaid fines": ("inspections.accrue_fine_late_fees", 3600),
        "Re-send missing penalty case documents": ("inspections.requeue_missing_case_documents", 60),
    }
    # A paid payment order (programs.payments) goes to the handler named for its owner.
    payment_handlers = {"inspections.fine": "inspections.services.fine_payments.fine_order_paid"}

    def ready(self):
        from . import files, repair_files  # need the models, so not importable before the registry is ready

        files.register()
        repair_files.register()

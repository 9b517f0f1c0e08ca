from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkshopsConfig(AppConfig):
    name = "workshops"
    verbose_name = _("Co-prosperity workshops")

    # name → (task, every N seconds); the core writes them to the beat schedule (programs.schedule).
    periodic_tasks = {
        "Remind of waiting workshop registrations": ("workshops.remind_waiting_registrations", 3600),
        "Expire workshop registrations nobody acted on": ("workshops.expire_registrations", 3600),
        "Close seasonal workshop positions": ("workshops.close_seasonal_positions", 3600),
        "Re-send lost job offer rounds": ("workshops.requeue_stalled_offer_rounds", 60),
    }

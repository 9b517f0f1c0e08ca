from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GuidanceConfig(AppConfig):
    name = "guidance"
    verbose_name = _("Guidance bookings")

    # name → (task, every N seconds); the core writes them to the beat schedule (programs.schedule).
    periodic_tasks = {
        "Generate guidance slots from weekly templates": ("guidance.generate_slots", 3600),
        "Escalate unconfirmed guidance bookings": ("guidance.escalate_unconfirmed_bookings", 600),
        "Pass lapsed guidance waitlist offers on": ("guidance.expire_waitlist_offers", 300),
    }

    def ready(self):
        from . import files  # needs the models, so not importable before the registry is ready

        files.register()

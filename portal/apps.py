from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The staff side on top of the domain apps: the admin site and its dashboard, sign-in, the enterprise area,
    imports, and the URL configuration that puts every app's pages together. The only app that may import
    more than one domain app."""

    name = "portal"
    verbose_name = _("Staff portal")

    # name → (task, every N seconds); the core writes them to the beat schedule (programs.schedule). Every five
    # minutes (portal.snapshots.REFRESH_EVERY_SECONDS): a watched dashboard is never older than that.
    periodic_tasks = {"Refresh the dashboards": ("portal.refresh_dashboards", 300)}

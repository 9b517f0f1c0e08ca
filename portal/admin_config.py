"""The admin app with this project's site (its own module: INSTALLED_APPS imports it before models load)."""

from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    default_site = "portal.admin_site.ProgramsAdminSite"

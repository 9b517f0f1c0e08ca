"""The admin app with this project's site (its own module: INSTALLED_APPS imports it before models load)."""

from django.contrib.admin.apps import AdminConfig


class ProgramsAdminConfig(AdminConfig):
    default_site = "programs.admin_site.ProgramsAdminSite"

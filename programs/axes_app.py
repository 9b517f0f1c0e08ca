"""django-axes under a name the staff can read: its app name ("Axes") comes from its AppConfig, which no
translation catalogue reaches, so the admin's sidebar would show it in English."""

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _


class SignInAttemptsConfig(AxesAppConfig):
    verbose_name = _("Sign-in attempts")

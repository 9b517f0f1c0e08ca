"""Who is calling the API: expiring tokens, and the throttles counting anonymous callers by their real address.

A module of its own because REST framework imports its default authentication and throttle classes while
``rest_framework.views`` is being imported: these classes cannot live in ``programs.rest``, which imports it.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions, throttling

from .clientip import client_ip


class ExpiringTokenAuthentication(authentication.TokenAuthentication):
    """DRF's token, refused (and deleted) once older than ``API_TOKEN_MAX_AGE_DAYS``: the phone signs in again.
    A password change or a deactivation deletes the user's tokens (``services.api_tokens_revoke``)."""

    def authenticate_credentials(self, key):
        # DRF's own lookup, with the user's region and department in the same query: every scoped list reads
        # ``user.region`` (``programs.selectors.scope``), which would otherwise cost a second query per request.
        model = self.get_model()
        try:
            token = model.objects.select_related("user__region", "user__department").get(key=key)
        except model.DoesNotExist:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        user = token.user
        if token.created < timezone.now() - timedelta(days=settings.API_TOKEN_MAX_AGE_DAYS):
            type(token).objects.filter(pk=token.pk).delete()
            raise exceptions.AuthenticationFailed(_("The token has expired; sign in again."), code="token_expired")
        return user, token


class _ClientAddress:
    """Anonymous callers counted by their address behind the trusted proxies (``programs.clientip``), not by
    REST framework's own reading, which believes any X-Forwarded-For a caller sends."""

    def get_ident(self, request):
        return client_ip(request)


class AnonRateThrottle(_ClientAddress, throttling.AnonRateThrottle):
    """DRF's anonymous throttle, keyed by the client's real address."""


class UserRateThrottle(_ClientAddress, throttling.UserRateThrottle):
    """DRF's per-user throttle; anonymous callers keyed by their real address."""


class ScopedRateThrottle(_ClientAddress, throttling.ScopedRateThrottle):
    """DRF's scoped throttle (the token sign-in), keyed by the client's real address."""

"""Pages of the shared core: the landing page, /healthz, and the answer to a rate-limited request."""

import logging

from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .celery import app as celery_app
from .rest import error_body

logger = logging.getLogger(__name__)


def home(request):
    return render(request, "home.html")


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception as exc:
        logger.warning("healthz: database unreachable: %s", type(exc).__name__)
        return False


def _broker_ok() -> bool:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
            _channel = conn.default_channel  # opening a channel proves the transport really answers
        return True
    except Exception as exc:
        logger.warning("healthz: broker unreachable: %s", type(exc).__name__)
        return False


def healthz(request):
    """200 when the database and the broker both answer, 503 (naming which one) when either does not."""
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    healthy = all(checks.values())
    body = {"status": "ok" if healthy else "unavailable", **{k: "ok" if v else "down" for k, v in checks.items()}}
    return JsonResponse(body, status=200 if healthy else 503)


def locked_out(request, credentials=None, *args, **kwargs):
    """django-axes' answer to a locked-out sign-in: the API's error format for the API, a page elsewhere."""
    message = _("Too many failed sign-ins: this account is locked for a while. Please try again later.")
    if request.path.startswith("/api/"):
        return JsonResponse(error_body(status=429, code="locked_out", message=message), status=429)
    return render(request, "rate_limited.html", {"message": message}, status=429)


def rate_limited(request, exception=None):
    return render(
        request,
        "rate_limited.html",
        {"message": _("Too many requests from your address. Please wait a minute and try again.")},
        status=429,
    )

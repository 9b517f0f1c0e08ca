"""Pages of the shared core: /healthz, and the answers to a locked-out, rate-limited or CSRF-refused request."""

import logging

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as KombuOperationalError

from .celery import app as celery_app
from .heartbeat import heartbeat_fresh
from .rest import error_body
from .uploads import resolve

logger = logging.getLogger(__name__)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError as exc:
        logger.warning("healthz: database unreachable: %s", type(exc).__name__)
        return False


def _broker_ok() -> bool:
    connection_for_write = celery_app.connection_for_write()
    # The transport's own connection errors (redis' ConnectionError, an unreadable queue folder …) and kombu's.
    unreachable = (KombuOperationalError, OSError, *connection_for_write.connection_errors)
    try:
        with connection_for_write as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
            _channel = conn.default_channel  # opening a channel proves the transport really answers
        return True
    except unreachable as exc:
        logger.warning("healthz: broker unreachable: %s", type(exc).__name__)
        return False


def _worker_ok() -> bool:
    if celery_app.conf.task_always_eager:
        return True  # tasks run in the process that sends them: there is no worker to wait for
    try:
        return heartbeat_fresh(max_age=settings.WORKER_HEARTBEAT_MAX_AGE)
    except DatabaseError as exc:
        logger.warning("healthz: worker heartbeat unreadable: %s", type(exc).__name__)
        return False


def healthz(request):
    """200 when the database and the broker answer and a worker took the heartbeat task recently; 503, naming
    what is down, otherwise."""
    checks = {"database": _database_ok(), "broker": _broker_ok(), "worker": _worker_ok()}
    healthy = all(checks.values())
    body = {"status": "ok" if healthy else "unavailable", **{k: "ok" if v else "down" for k, v in checks.items()}}
    return JsonResponse(body, status=200 if healthy else 503)


def locked_out(request, credentials=None, *args, **kwargs):
    """django-axes' answer to a locked-out sign-in: the API's error format for the API, a page elsewhere."""
    message = _("Too many failed sign-ins: this account is locked for a while. Please try again later.")
    if request.path.startswith("/api/"):
        return JsonResponse(error_body(status=429, code="locked_out", message=message), status=429)
    return render(request, "rate_limited.html", {"message": message}, status=429)


def csrf_failure(request, reason=""):
    """A refused CSRF check: the API's error format for the API (a browser session without the token), a
    page elsewhere."""
    message = _("The form expired or was sent from another site. Please reload the page and try again.")
    if request.path.startswith("/api/"):
        return JsonResponse(error_body(status=403, code="csrf_failed", message=message), status=403)
    return render(request, "rate_limited.html", {"message": message, "title": _("Please try again")}, status=403)


def rate_limited(request, exception=None):
    return render(
        request,
        "rate_limited.html",
        {"message": _("Too many requests from your address. Please wait a minute and try again.")},
        status=429,
    )


def file_download(request, kind, pk):
    """An uploaded file, only to whoever may see the record it belongs to (404 to anyone else, signed in or
    not), always as a download that no browser renders or sniffs on the site's origin."""
    found = resolve(kind, pk, request.user)
    if found is None:
        raise Http404
    try:
        handle = found.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, as_attachment=True, filename=found.name.rsplit("/", 1)[-1])
    response["Content-Type"] = "application/octet-stream"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "private, no-store"
    return response

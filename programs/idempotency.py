"""``Idempotency-Key`` for API writes: a phone on a flaky village connection retries a POST it never saw the
answer to; the second request gets the first one's answer instead of creating the thing twice.

The key is claimed with a unique row *before* the view runs, so two copies racing each other cannot both
get through: the loser is told the first is still in progress (409) and retries. Keys are scoped to the
caller's credentials, kept for ``IDEMPOTENCY_TTL`` and then purged by a scheduled task.
"""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from .clientip import client_ip
from .models import IdempotencyRecord
from .rest import error_body

HEADER = "Idempotency-Key"
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
IDEMPOTENCY_TTL = timedelta(hours=24)


def _error(status, code, message):
    return JsonResponse(error_body(status=status, code=code, message=message, fields={}), status=status)


def _caller_scope(request) -> str:
    credential = (
        request.headers.get("Authorization")
        or request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        or client_ip(request)
    )
    return hashlib.sha256(credential.encode()).hexdigest()


def _request_hash(request) -> str:
    digest = hashlib.sha256(f"{request.method} {request.get_full_path()}\n".encode())
    if int(request.META.get("CONTENT_LENGTH") or 0) <= settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
        digest.update(request.body)
    else:
        digest.update(request.META.get("CONTENT_LENGTH", "").encode())
    return digest.hexdigest()


class IdempotencyKeyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.headers.get(HEADER)
        if not key or request.method not in WRITE_METHODS or not request.path.startswith("/api/"):
            return self.get_response(request)
        if len(key) > 200:
            return _error(
                400, "idempotency_key_too_long", _("The Idempotency-Key header is longer than 200 characters.")
            )
        scope, request_hash = _caller_scope(request), _request_hash(request)
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    scope=scope, key=key, method=request.method, path=request.path[:500], request_hash=request_hash
                )
        except IntegrityError:
            return self._replay(scope, key, request_hash)

        response = self.get_response(request)
        if response.status_code >= 500 or response.status_code == 429:
            # Not an answer worth keeping: let the retry try again.
            IdempotencyRecord.objects.filter(pk=record.pk).delete()
            return response
        IdempotencyRecord.objects.filter(pk=record.pk).update(
            status_code=response.status_code,
            response_body=bytes(response.content) if not response.streaming else b"",
            content_type=response.get("Content-Type", ""),
        )
        return response

    def _replay(self, scope, key, request_hash):
        record = IdempotencyRecord.objects.filter(scope=scope, key=key).first()
        if record is None:  # purged between the two statements: the caller can simply retry
            return _error(409, "idempotency_retry", _("Please retry this request."))
        if record.request_hash != request_hash:
            return _error(
                422,
                "idempotency_key_reused",
                _("This Idempotency-Key was already used for a different request."),
            )
        if record.status_code is None:
            return _error(
                409,
                "idempotency_in_progress",
                _("The first request with this Idempotency-Key is still being processed."),
            )
        response = HttpResponse(
            bytes(record.response_body), status=record.status_code, content_type=record.content_type
        )
        response["Idempotent-Replayed"] = "true"
        return response


def idempotency_records_purge(*, now=None) -> int:
    cutoff = (now or timezone.now()) - IDEMPOTENCY_TTL
    deleted, _counts = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted

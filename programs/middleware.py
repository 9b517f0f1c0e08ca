"""Two guards every request passes early: input that is not text (a NUL byte in the path or the query string,
bytes that are not UTF-8 in the query string) is refused with 400 before any view or database sees it, and the
sign-in forms are rate limited per client address on top of the per-account lock-out."""

from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django_ratelimit.core import is_ratelimited

from .dberrors import is_unique_violation
from .rest import error_body
from .views import rate_limited


def _query_text(query_string: str) -> str | None:
    """The query string (WSGI: its bytes read as Latin-1) decoded as the UTF-8 text it should carry; None when
    its bytes are not UTF-8."""
    try:
        raw = query_string.encode("iso-8859-1")
    except UnicodeEncodeError:
        raw = query_string.encode("utf-8")
    try:
        return unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        return None


def is_malformed(request) -> bool:
    """True when the path carries a NUL byte, or the query string a NUL byte or bytes that are not UTF-8.
    (Bytes of the path that are not UTF-8 Django itself keeps percent-encoded: harmless text.)"""
    if "\x00" in request.path_info:
        return True
    query = _query_text(request.META.get("QUERY_STRING", ""))
    return query is None or "\x00" in query


class RejectMalformedRequestMiddleware:
    """400 for a NUL byte in the path or the query, or undecodable bytes in the query (PostgreSQL refuses NUL in
    text, which answered 500 from whichever view passed it on)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_malformed(request):
            return self.get_response(request)
        message = _("The address contains characters that are not allowed.")
        if request.path.startswith("/api/"):
            return JsonResponse(error_body(status=400, code="malformed_request", message=message), status=400)
        return render(request, "rate_limited.html", {"message": message, "title": _("Bad request")}, status=400)


class SignInRateLimitMiddleware:
    """At most ``SIGN_IN_RATE`` sign-in attempts per client address on the views named in ``SIGN_IN_VIEWS``
    (the sign-in page and the admin's), whatever usernames they try: django-axes locks one username from one
    address, this stops one address guessing many usernames. The API's token view has its own throttle."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if request.method != "POST" or match is None or match.view_name not in settings.SIGN_IN_VIEWS:
            return None
        limited = is_ratelimited(
            request, group="sign-in", key="ip", rate=settings.SIGN_IN_RATE, method="POST", increment=True
        )
        return rate_limited(request) if limited else None


class UniqueViolationMiddleware:
    """A page (an admin form, a public form) whose save lost a race for a unique value answers 409 with a
    plain message instead of a server error; the API's exception handler does the same for the API. The
    admin's and the views' transactions are rolled back by then (they are atomic blocks)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_unique_violation(exception):
            return None
        message = _("This record already exists: it was saved a moment ago. Reload the page to see it.")
        if request.path.startswith("/api/"):
            return JsonResponse(error_body(status=409, code="already_exists", message=message), status=409)
        return render(request, "rate_limited.html", {"message": message, "title": _("Already saved")}, status=409)

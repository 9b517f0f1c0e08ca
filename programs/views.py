"""Pages of the shared core: the landing page, /healthz, and the answer to a rate-limited request."""

import logging

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import imports
from .celery import app as celery_app
from .models import ImportJob, User
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


# --- Imports (staff) ----------------------------------------------------------------------------------


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("What to import"))
    file = forms.FileField(label=gettext_lazy("Excel (.xlsx) or CSV file"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(i.kind, i.label) for i in imports.importers_for(user)]


@staff_member_required
def import_start(request):
    """Choose what to import, upload the file; the next page is the preview with every bad row's errors."""
    form = ImportUploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            job = imports.import_job_create(
                kind=form.cleaned_data["kind"], uploaded=form.cleaned_data["file"], actor=request.user
            )
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, messages)
        else:
            return redirect("import-job", job_id=job.pk)
    jobs = ImportJob.objects.filter(created_by=request.user).order_by("-created_at")[:20]
    templates = [(i.label, [c.header for c in i.columns]) for i in imports.importers_for(request.user)]
    return render(
        request,
        "admin/imports/start.html",
        {**admin.site.each_context(request), "form": form, "jobs": jobs, "templates": templates, "title": _("Import")},
    )


@staff_member_required
def import_job(request, job_id):
    job = get_object_or_404(ImportJob, pk=job_id, created_by=request.user)
    if request.method == "POST":
        try:
            job = imports.import_job_confirm(job=job, actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("import-job", job_id=job.pk)
    importer = imports.REGISTRY[job.kind]
    context = {
        **admin.site.each_context(request),
        "job": job,
        "headers": [c.header for c in importer.columns],
        "keys": [c.key for c in importer.columns],
        "progress": imports.import_job_progress(job),
        "title": _("Import #%(id)s") % {"id": job.pk},
    }
    return render(request, "admin/imports/job.html", context)


# --- Sign-in and the enterprise area ------------------------------------------------------------------


class SignInView(LoginView):
    """One sign-in page for everyone: staff land on the dashboard, enterprises on their area, residents on
    the positions near them."""

    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        user = self.request.user
        if user.is_staff:
            return reverse("admin:index")
        if user.role == User.Role.ENTERPRISE:
            return reverse("enterprise-area")
        return reverse("workshops:positions")


@login_required
def enterprise_area(request):
    """ "Where do we stand": the enterprise's grade and its history, inspections with their codes, open
    findings and what is overdue, and guidance bookings with open risks, on one page."""
    from guidance.models import Booking, Risk
    from guidance.selectors import booking_list, risk_list
    from guidance.services import booking_token
    from inspections.models import Finding
    from inspections.selectors import finding_list, grade_change_list, inspection_list, overdue

    user = request.user
    if user.role != User.Role.ENTERPRISE or not user.enterprise_id:
        raise PermissionDenied(_("This area is for enterprise users."))
    findings = finding_list(user=user)
    open_findings = findings.exclude(status=Finding.Status.RECTIFIED)
    bookings = list(booking_list(user=user).order_by("-slot__starts_at", "-id")[:10])
    for booking in bookings:
        booking.manage_token = booking_token(booking)
    context = {
        "enterprise": user.enterprise,
        "grade_changes": grade_change_list(user=user)[:10],
        "inspections": inspection_list(user=user).order_by("-month", "-id")[:10],
        "open_findings": open_findings.order_by("deadline")[:20],
        "open_finding_count": open_findings.count(),
        "overdue_count": overdue(findings).count(),
        "bookings": bookings,
        "upcoming_bookings": booking_list(user=user)
        .filter(status__in=[Booking.Status.REQUESTED, Booking.Status.CONFIRMED])
        .count(),
        "open_risks": risk_list(user=user).exclude(status=Risk.Status.RECTIFIED).count(),
    }
    return render(request, "enterprise/area.html", context)

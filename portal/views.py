"""The staff side's pages: the home page, the one sign-in page and each role's first page, the enterprise area
("where do we stand"), and the spreadsheet imports. The only place that reads more than one domain app."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from guidance.models import Booking, Risk
from guidance.selectors import booking_claimable_list, booking_list, risk_list
from guidance.services import booking_claim, booking_token
from inspections.models import Finding
from inspections.selectors import finding_list, grade_change_list, inspection_list, overdue
from programs import imports
from programs.models import ImportJob, User


def home(request):
    """The public face: the three services, whom each is for, and the way into each."""
    return render(request, "portal/home.html")


def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says: send them to the site's own SVG icon."""
    response = redirect(static("portal/favicon.svg"))
    response["Cache-Control"] = "public, max-age=86400"
    return response


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
    jobs = list(ImportJob.objects.filter(created_by=request.user).order_by("-created_at")[:20])
    for job in jobs:  # the importer's label ("企业名录"), not its code ("enterprises")
        job.kind_label = imports.REGISTRY[job.kind].label if job.kind in imports.REGISTRY else job.kind
    templates = [(i.label, [c.header for c in i.columns]) for i in imports.importers_for(request.user)]
    return render(
        request,
        "portal/imports/start.html",
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
    headers, preview = imports.preview_table(job)  # each value under its own header, whatever the file's order
    context = {
        **admin.site.each_context(request),
        "job": job,
        "headers": headers,
        "preview": preview,
        "progress": imports.import_job_progress(job),
        "title": _("Import #%(id)s") % {"id": job.pk},
    }
    return render(request, "portal/imports/job.html", context)


# --- Sign-in and the enterprise area ------------------------------------------------------------------


class SignInView(LoginView):
    """One sign-in page for everyone: officers land on their field area, other staff on the dashboard,
    enterprises on their area, residents on the positions near them."""

    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        user = self.request.user
        if user.role == User.Role.OFFICER and not user.is_superuser:
            return reverse("field:home")
        if user.is_staff:
            return reverse("admin:index")
        if user.role == User.Role.ENTERPRISE:
            return reverse("enterprise-area")
        return reverse("workshops:positions")


@login_required
def enterprise_area(request):
    """ "Where do we stand": the enterprise's grade and its history, inspections with their codes, open
    findings and what is overdue, and guidance bookings with open risks, on one page."""
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
        # Booked on the public form with this enterprise's credit code by someone not signed in: not the
        # enterprise's until one of its users says so.
        "claimable_bookings": booking_claimable_list(user=user).order_by("slot__starts_at", "id")[:20],
    }
    return render(request, "portal/enterprise/area.html", context)


@login_required
@require_POST
def enterprise_booking_claim(request, pk):
    """An enterprise user says a booking made with the enterprise's credit code is theirs (issue 13, point 8)."""
    booking = get_object_or_404(booking_claimable_list(user=request.user), pk=pk)
    try:
        booking_claim(booking=booking, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("Booking %(reference)s is now shown as your enterprise's.") % {"reference": booking.reference}
        )
    return redirect("enterprise-area")

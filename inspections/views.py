"""Pages of the inspections app: the public code check (亮码 verification), the officer's code screen, and the
enterprise area (its inspections, codes, findings, grade, and the rectification upload)."""

import secrets
from datetime import date, timedelta

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from programs.documents import document_response
from programs.models import User
from programs.roles import ENFORCEMENT_AND_ENTERPRISE, require_role
from programs.selectors import officer_list
from programs.views import rate_limited

from . import selectors, services
from .forms import EvidenceForm, VerifyForm
from .models import Inspection
from .services.documents import RECORD


def _verdict(inspection: Inspection | None) -> str:
    if inspection is None:
        return "unknown"
    if inspection.status == Inspection.Status.CANCELLED:
        return "cancelled"
    if inspection.status == Inspection.Status.COMPLETED:
        return "completed"
    if inspection.status == Inspection.Status.IN_PROGRESS:
        return "valid"
    last_day = inspection.week_start and inspection.week_start + timedelta(days=6)
    return "expired" if last_day and last_day < timezone.localdate() else "valid"


@require_http_methods(["GET"])
@ratelimit(key="ip", rate=settings.PUBLIC_FORM_RATE, block=False)
def verify_form(request):
    """Type a code; a good one leads to its page, a malformed one is explained next to the field."""
    if getattr(request, "limited", False):
        return rate_limited(request)
    form = VerifyForm(request.GET or None)
    if request.GET and form.is_valid():
        return redirect("inspections:verify", code=form.cleaned_data["code"])
    return render(request, "inspections/verify_form.html", {"form": form})


@require_http_methods(["GET"])
@ratelimit(key="ip", rate=settings.PUBLIC_FORM_RATE, block=False)
def verify(request, code):
    """Anyone may check a code: valid or not, which enterprise, which departments, when. No findings, no people.
    Rate-limited per address, so codes cannot be guessed by trying (they are 100 random bits anyway)."""
    if getattr(request, "limited", False):
        return rate_limited(request)
    inspection = selectors.inspection_by_code(code)
    verdict = _verdict(inspection)
    # Only that the record exists, its number and who issued it: never what it says.
    record = services.visit_document(inspection=inspection, kind=RECORD) if inspection else None
    context = {
        "verdict": verdict,
        "code": services.format_code(services.normalize_code(code)),
        "inspection": inspection,
        "departments": list(inspection.departments.all()) if inspection else [],
        "record": record,
        "form": VerifyForm(),
    }
    return render(request, "inspections/verify.html", context)


def _qr_svg(url: str) -> str:
    return segno.make(url, error="m").svg_inline(scale=6, border=2)


@login_required
def code_screen(request, pk):
    """The officer's screen (and printable sheet) with the inspection code as a QR code: for the roles that
    read inspections in the API (coordinators, officers, the inspected enterprise)."""
    require_role(request.user, *ENFORCEMENT_AND_ENTERPRISE)
    inspection = get_object_or_404(selectors.inspection_list(user=request.user), pk=pk)
    if not inspection.code:
        raise Http404(_("This inspection has no code yet: schedule it first."))
    url = request.build_absolute_uri(reverse("inspections:verify", kwargs={"code": inspection.code}))
    return render(
        request,
        "inspections/code.html",
        {
            "inspection": inspection,
            "code": services.format_code(inspection.code),
            "qr": mark_safe(_qr_svg(url)),  # noqa: S308 - segno's own SVG of our URL
            "url": url,
        },
    )


def _enterprise_user(request) -> User:
    if request.user.role != User.Role.ENTERPRISE or not request.user.enterprise_id:
        raise PermissionDenied(_("This area is for enterprise users."))
    return request.user


@login_required
@require_http_methods(["GET"])
def document(request, pk, kind):
    """An issued record or rectification notice of an inspection, as stored (the version in force, or
    ``?version=N``): for whoever may see the inspection (its departments' officers and the coordinators in
    scope, the inspected enterprise's users); 404 to anyone else, as for a document not issued."""
    user = request.user
    if not (user.is_superuser or user.role in ENFORCEMENT_AND_ENTERPRISE):
        raise Http404
    inspection = get_object_or_404(selectors.inspection_list(user=user), pk=pk)
    version = request.GET.get("version", "")
    if version and not (version.isdigit() and len(version) <= 4):
        raise Http404
    issued = services.visit_document(inspection=inspection, kind=kind, version=int(version) if version else None)
    if issued is None:
        raise Http404(_("This document has not been issued."))
    return document_response(issued, request)


@login_required
def enterprise_home(request):
    """The enterprise's own inspections, codes, findings and grade with its history."""
    user = _enterprise_user(request)
    findings = selectors.finding_list(user=user)
    inspections = list(selectors.inspection_list(user=user).order_by("-month", "-id")[:50])
    documents = services.visit_documents_by_inspection(i.pk for i in inspections)
    context = {
        "enterprise": user.enterprise,
        "inspections": [(inspection, documents.get(inspection.pk, [])) for inspection in inspections],
        "findings": findings[:100],
        "overdue": selectors.overdue(findings).count(),
        "grade_changes": selectors.grade_change_list(user=user)[:20],
    }
    return render(request, "inspections/enterprise_home.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def evidence_upload(request, pk):
    """Submit rectification evidence for one of the enterprise's own findings; a double submit saves once."""
    user = _enterprise_user(request)
    finding = get_object_or_404(selectors.finding_list(user=user), pk=pk)
    form = EvidenceForm(request.POST or None, request.FILES or None, initial={"submission_key": secrets.token_hex(16)})
    if request.method == "POST" and form.is_valid():
        try:
            services.evidence_submit(
                finding=finding,
                actor=user,
                note=form.cleaned_data["note"],
                file=form.cleaned_data["file"],
                submission_key=form.cleaned_data["submission_key"],
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc.messages)
        else:
            messages.success(request, _("Thank you: the evidence was received and a re-inspection will follow."))
            return redirect("inspections:enterprise-home")
    return render(request, "inspections/evidence.html", {"finding": finding, "form": form})


@login_required
def week_schedule(request):
    """The printable week schedule of one officer (the signed-in one, or ``?officer=`` for a coordinator):
    each visit with its enterprise, address, departments, items and inspection code as a QR code."""
    today = timezone.localdate()
    try:
        day = date.fromisoformat(request.GET["week"]) if request.GET.get("week") else today
    except ValueError:
        day = today
    week_start = day - timedelta(days=day.weekday())
    officer = request.user
    if request.GET.get("officer") and (request.user.is_superuser or request.user.role == User.Role.COORDINATOR):
        officer = get_object_or_404(officer_list(user=request.user), pk=request.GET["officer"])
    if officer.role != User.Role.OFFICER and not request.user.is_superuser:
        raise PermissionDenied(_("The week schedule is an officer's."))
    visits = (
        selectors.inspection_list(user=request.user)
        .filter(week_start=week_start, officers=officer)
        .exclude(status=Inspection.Status.CANCELLED)
        .order_by("visit_date", "enterprise__name")
    )
    rows = []
    for inspection in visits:
        url = request.build_absolute_uri(reverse("inspections:verify", kwargs={"code": inspection.code}))
        rows.append(
            {
                "inspection": inspection,
                "code": services.format_code(inspection.code),
                "qr": mark_safe(_qr_svg(url)) if inspection.code else "",  # noqa: S308 - segno's own SVG
            }
        )
    context = {
        "officer": officer,
        "week_start": week_start,
        "week_end": week_start + timedelta(days=6),
        "previous": week_start - timedelta(days=7),
        "next": week_start + timedelta(days=7),
        "rows": rows,
    }
    return render(request, "inspections/week_schedule.html", context)

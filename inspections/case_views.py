"""Pages of penalty cases: the enterprise's own cases (轻案零跑: read the advance notice and the decision,
confirm receipt, state a defence, all online), a case document as issued, and the public verify page of a
document's QR code (valid or not, which department, which case number: nothing else)."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from programs.documents import document_response
from programs.models import User
from programs.roles import ENFORCEMENT_AND_ENTERPRISE
from programs.views import rate_limited

from .case_selectors import case_list
from .models import PenaltyCase
from .services import case_receipt, cases
from .services.case_documents import CASE_DOCUMENT_KINDS, DECISION, NOTICE, case_document, case_document_title


class DefenceForm(forms.Form):
    statement = forms.CharField(
        label=gettext_lazy("Your statement and defence"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("State the facts and reasons you want the department to consider."),
    )


def _enterprise_user(request) -> User:
    if request.user.role != User.Role.ENTERPRISE or not request.user.enterprise_id:
        raise PermissionDenied(_("This area is for enterprise users."))
    return request.user


def _add_errors(request, form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            if form is not None and field in form.fields:
                form.add_error(field, errors)
            else:
                for error in errors:
                    messages.error(request, error)
    else:
        for error in exc.messages:
            messages.error(request, error)


@login_required
@require_http_methods(["GET"])
def case_index(request):
    """The enterprise's penalty cases, newest first."""
    user = _enterprise_user(request)
    return render(
        request,
        "inspections/cases/list.html",
        {"enterprise": user.enterprise, "cases": case_list(user=user)[:100]},
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_detail(request, pk):
    """One of the enterprise's cases: its documents with "confirm receipt", the defence form while the period
    runs, the statements with the department's answers, the fine and the credit repair."""
    user = _enterprise_user(request)
    case = get_object_or_404(case_list(user=user), pk=pk)
    form = DefenceForm()
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action in ("receipt_notice", "receipt_decision"):
                kind = NOTICE if action == "receipt_notice" else DECISION
                case_receipt.case_receipt_confirm(case=case, actor=user, kind=kind)
                messages.success(request, _("Receipt confirmed."))
                return redirect("inspections:case-detail", pk=case.pk)
            if action == "defence":
                form = DefenceForm(request.POST)
                if form.is_valid():
                    cases.case_defence_submit(case=case, actor=user, statement=form.cleaned_data["statement"])
                    messages.success(request, _("Your statement was received; the department will answer it here."))
                    return redirect("inspections:case-detail", pk=case.pk)
            elif action == "waive":
                cases.case_defence_waive(case=case, actor=user)
                messages.success(request, _("Noted: you will not state a defence."))
                return redirect("inspections:case-detail", pk=case.pk)
            else:
                messages.error(request, _("Unknown action."))
        except ValidationError as exc:
            _add_errors(request, form, exc)
        case = get_object_or_404(case_list(user=user), pk=pk)
    documents = []
    for kind in CASE_DOCUMENT_KINDS:
        issued = case_document(case, kind)
        if issued is not None:
            served_at = case.notice_served_at if kind == NOTICE else case.decision_served_at
            documents.append(
                {"kind": kind, "title": case_document_title(kind), "document": issued, "served_at": served_at}
            )
    context = {
        "case": case,
        "documents": documents,
        "defences": list(case.defences.order_by("submitted_at", "pk")),
        "defence_open": cases.defence_open(case),
        "form": form,
    }
    return render(request, "inspections/cases/detail.html", context)


@login_required
@require_http_methods(["GET"])
def case_document_view(request, pk, kind):
    """A case's notice or decision as stored: for whoever may see the case (its department's officers, the
    coordinators in scope, the enterprise's users); 404 to anyone else, as for a document not issued."""
    user = request.user
    if not (user.is_superuser or user.role in ENFORCEMENT_AND_ENTERPRISE):
        raise Http404
    case = get_object_or_404(case_list(user=user), pk=pk)
    issued = case_document(case, kind)
    if issued is None:
        raise Http404(_("This document has not been issued."))
    return document_response(issued, request)


@require_http_methods(["GET"])
@ratelimit(key="ip", rate=settings.PUBLIC_FORM_RATE, block=False)
def case_verify(request, code):
    """Anyone scanning a case document's QR code learns whether it is genuine and in force, which department
    issued it and the case number: no enterprise, no facts, no penalty. Rate-limited per address."""
    if getattr(request, "limited", False):
        return rate_limited(request)
    case = (
        PenaltyCase.objects.select_related("department").filter(verify_code=code).first() if len(code) <= 32 else None
    )
    valid = case is not None and case.status != PenaltyCase.Status.CANCELLED
    return render(request, "inspections/cases/verify.html", {"case": case, "valid": valid})

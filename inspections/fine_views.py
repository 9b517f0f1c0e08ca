"""The enterprise's fine pages: pay the fine of its case (sent on to the payment backend's cashier) and ask to
defer it or pay it in instalments. The case's page shows the fine (``inspections/cases/_case_fine.html``)."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from programs.models import User

from .fine_selectors import fine_list
from .models import Fine
from .services import fine_arrangements, fines


def _own_fine(request, case_pk: int) -> Fine:
    """The fine of the case, to a user of the case's enterprise; 404 to anyone else."""
    user = request.user
    if user.role != User.Role.ENTERPRISE or not user.enterprise_id:
        raise Http404
    fine = fine_list(user=user).filter(case_id=case_pk).first()
    if fine is None:
        raise Http404
    return fine


def _refusal(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@login_required
@require_POST
def fine_pay(request, pk):
    fine = _own_fine(request, pk)
    case_page = reverse("inspections:case-detail", args=[pk])
    try:
        _order, cashier = fines.fine_pay_start(fine=fine, actor=request.user, return_path=case_page)
    except (ValidationError, PermissionDenied) as exc:
        _refusal(request, exc if isinstance(exc, ValidationError) else ValidationError(str(exc)))
        return redirect(case_page)
    return redirect(cashier)


@login_required
@require_POST
def fine_arrangement(request, pk):
    fine = _own_fine(request, pk)
    data = request.POST
    try:
        defer_until = date.fromisoformat(data["defer_until"]) if data.get("defer_until") else None
        instalments = int(data["instalments"]) if data.get("instalments") else None
    except ValueError:
        messages.error(request, _("Enter a date and a number of instalments as asked."))
        return redirect(reverse("inspections:case-detail", args=[pk]) + "#fine")
    try:
        fine_arrangements.fine_arrangement_request(
            fine=fine,
            actor=request.user,
            kind=data.get("kind", ""),
            reason=data.get("reason", ""),
            defer_until=defer_until,
            instalments=instalments,
        )
    except ValidationError as exc:
        _refusal(request, exc)
    else:
        messages.success(request, _("Your request was sent; the department decides and tells you."))
    return redirect(reverse("inspections:case-detail", args=[pk]) + "#fine")

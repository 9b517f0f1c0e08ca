"""The enterprise's credit repair application page (信用修复): the form, for one of its own fulfilled penalties."""

import secrets

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from programs.models import User
from programs.uploads import EVIDENCE, check_upload

from . import repair_selectors
from .models import RepairEvidence
from .services import repair as services


class RepairForm(forms.Form):
    statement = forms.CharField(
        label=gettext_lazy("What was corrected"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("How the violation was rectified, and that the penalty was fulfilled."),
    )
    rectification = forms.FileField(
        label=gettext_lazy("Proof of rectification"), required=False, help_text=gettext_lazy("JPG, PNG, HEIC or PDF.")
    )
    payment = forms.FileField(
        label=gettext_lazy("Proof of payment"), required=False, help_text=gettext_lazy("For a fine: the receipt.")
    )
    commitment = forms.BooleanField(
        label=gettext_lazy("I commit to keep the law and accept that a false statement voids the repair."),
        required=False,
    )
    submission_key = forms.CharField(widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        for name in ("rectification", "payment"):
            if data.get(name):
                check_upload(data[name], kinds=EVIDENCE, field=name)
        return data

    def evidence(self) -> list:
        kinds = {"rectification": RepairEvidence.Kind.RECTIFICATION, "payment": RepairEvidence.Kind.PAYMENT}
        return [(kind, self.cleaned_data[name]) for name, kind in kinds.items() if self.cleaned_data.get(name)]


@login_required
@require_http_methods(["GET", "POST"])
def repair_apply(request, pk):
    """Apply to repair the record of one of the enterprise's own penalty cases; a double submit saves once."""
    user = request.user
    if user.role != User.Role.ENTERPRISE or not user.enterprise_id:
        raise PermissionDenied(_("This area is for enterprise users."))
    case = get_object_or_404(repair_selectors.repair_case_list(user=user), pk=pk)
    repair = services.repair_state(case)
    form = RepairForm(request.POST or None, request.FILES or None, initial={"submission_key": secrets.token_hex(16)})
    if request.method == "POST" and form.is_valid():
        try:
            services.repair_apply(
                case=case,
                actor=user,
                statement=form.cleaned_data["statement"],
                commitment=form.cleaned_data["commitment"],
                evidence=form.evidence(),
                submission_key=form.cleaned_data["submission_key"],
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc.messages)
        else:
            messages.success(request, _("Your credit repair application was received; the department will decide it."))
            return redirect("inspections:repair-apply", pk=case.pk)
    return render(request, "inspections/cases/repair_apply.html", {"case": case, "repair": repair, "form": form})

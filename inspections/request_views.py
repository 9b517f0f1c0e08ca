"""The enterprise area's requests (企业诉求) and joint assistance (联合帮扶): an enterprise files a need, follows it
by its reference, reads the reply and rates it; it sees the joint assistance cases opened for it, their tasks
and the resolution."""

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

from . import request_selectors, services
from .models import EnterpriseRequest, RequestCategory


class RequestForm(forms.Form):
    category = forms.ChoiceField(label=gettext_lazy("Category"), choices=RequestCategory.choices)
    title = forms.CharField(label=gettext_lazy("Subject"), max_length=120)
    description = forms.CharField(
        label=gettext_lazy("What do you need?"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("Where, since when, and what would help: the office answers within days."),
    )
    submission_key = forms.CharField(widget=forms.HiddenInput)


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=gettext_lazy("How satisfied are you with the answer?"),
        coerce=int,
        choices=[(n, str(n)) for n in range(5, 0, -1)],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(label=gettext_lazy("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


def _enterprise_user(request) -> User:
    if request.user.role != User.Role.ENTERPRISE or not request.user.enterprise_id:
        raise PermissionDenied(_("This area is for enterprise users."))
    return request.user


def _refusal_on(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
def request_list(request):
    """The enterprise's requests, newest first, and its joint assistance cases."""
    user = _enterprise_user(request)
    context = {
        "requests": request_selectors.request_list(user=user).order_by("-created_at", "-id")[:50],
        "cases": request_selectors.assistance_list(user=user).order_by("-opened_at", "-id")[:20],
    }
    return render(request, "inspections/requests/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def request_new(request):
    """File a request; a double submit files it once."""
    user = _enterprise_user(request)
    form = RequestForm(request.POST or None, initial={"submission_key": secrets.token_hex(16)})
    if request.method == "POST" and form.is_valid():
        try:
            filed = services.request_file(enterprise=user.enterprise, actor=user, **form.cleaned_data)
        except ValidationError as exc:
            _refusal_on(form, exc)
        else:
            messages.success(
                request,
                _("Your request was received. Its reference is %(ref)s.") % {"ref": filed.reference},
            )
            return redirect("inspections:request-detail", pk=filed.pk)
    return render(request, "inspections/requests/new.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def request_detail(request, pk):
    """One request: where it went, by when it is answered, the reply, and the rating once answered."""
    user = _enterprise_user(request)
    filed = get_object_or_404(request_selectors.request_list(user=user), pk=pk)
    form = RatingForm(request.POST or None) if filed.status == EnterpriseRequest.Status.ANSWERED else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            services.request_rate(request=filed, actor=user, **form.cleaned_data)
        except ValidationError as exc:
            _refusal_on(form, exc)
        else:
            messages.success(request, _("Thank you for your rating."))
            return redirect("inspections:request-detail", pk=filed.pk)
    return render(request, "inspections/requests/detail.html", {"filed": filed, "form": form})


@login_required
def assistance_detail(request, pk):
    """A joint assistance case of the enterprise: who leads, who takes part, the tasks, the resolution."""
    user = _enterprise_user(request)
    case = get_object_or_404(request_selectors.assistance_list(user=user), pk=pk)
    return render(request, "inspections/assistance/detail.html", {"case": case})

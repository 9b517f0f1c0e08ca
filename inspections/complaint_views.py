"""The public complaint pages (投诉举报): a form anyone may send without an account (rate-limited per address),
and the page its signed link opens to follow the complaint (status, deadlines, the department's reply). Plain
HTML forms: they work without JavaScript and on a phone."""

import re
import secrets

from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from programs.models import Region
from programs.pickers import region_path

from .models import ComplaintCategory, ComplaintRoute
from .services import complaints as complaint_services


def _public_form_rate(group, request) -> str:
    """Read when the request comes, so that the setting (and a test) decides, not the import."""
    return settings.PUBLIC_FORM_RATE


def covered_places():
    """The towns and streets some route covers (a route of a county covers its towns), by path."""
    prefixes = {route.region.prefix for route in ComplaintRoute.objects.select_related("region")}
    if not prefixes:
        return Region.objects.none()
    covered = Q()
    for prefix in prefixes:
        covered |= Q(code__startswith=prefix)
    return Region.objects.filter(covered, level=Region.Level.TOWN).select_related("parent", "parent__parent")


class PlaceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return region_path(obj)


class ComplaintForm(forms.Form):
    submission_key = forms.CharField(widget=forms.HiddenInput, required=False)
    category = forms.ChoiceField(
        label=gettext_lazy("What is it about?"), choices=[("", "—"), *ComplaintCategory.choices]
    )
    region = PlaceChoiceField(label=gettext_lazy("Town or street where it happened"), queryset=Region.objects.none())
    address = forms.CharField(label=gettext_lazy("Address"), max_length=300)
    business_name = forms.CharField(
        label=gettext_lazy("Shop or business concerned (if any)"), max_length=200, required=False
    )
    description = forms.CharField(
        label=gettext_lazy("What happened?"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5})
    )
    complainant_name = forms.CharField(label=gettext_lazy("Your name"), max_length=100)
    complainant_phone = forms.CharField(
        label=gettext_lazy("Your phone"),
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        help_text=gettext_lazy("Only the department handling your complaint sees your name and phone."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = covered_places()
        self.fields["region"].error_messages["invalid_choice"] = _("Choose a place from the list.")

    def clean_complainant_phone(self):
        phone = re.sub(r"\s", "", self.cleaned_data["complainant_phone"])
        if not complaint_services.PHONE.match(phone):
            raise ValidationError(
                _("Give a mobile number of 11 digits or a landline with its area code."), code="invalid_phone"
            )
        return phone


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate=_public_form_rate, method="POST", block=True)
def complaint_new(request):
    """File a complaint; the reference and the link to follow it come on the next page and by SMS."""
    if request.method == "POST":
        form = ComplaintForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                complaint = complaint_services.complaint_file(
                    category=data["category"],
                    region=data["region"],
                    address=data["address"],
                    business_name=data["business_name"],
                    description=data["description"],
                    complainant_name=data["complainant_name"],
                    complainant_phone=data["complainant_phone"],
                    submission_key=data["submission_key"] or None,
                    actor=None,
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                token = complaint_services.complaint_token(complaint)
                return redirect(reverse("inspections:complaint-follow", args=[token]) + "?filed=1")
        status = 400
    else:
        form = ComplaintForm(initial={"submission_key": secrets.token_hex(16)})
        status = 200
    return render(request, "inspections/complaints/new.html", {"form": form}, status=status)


@require_http_methods(["GET"])
def complaint_follow(request, token):
    """What the link shows its holder: no name, no phone, only the complaint and its handling."""
    try:
        complaint = complaint_services.complaint_from_token(token)
    except signing.BadSignature as exc:
        raise Http404(_("This link is not valid.")) from exc
    context = {
        "complaint": complaint,
        "filed": request.GET.get("filed") == "1",
        "follow_url": request.build_absolute_uri(request.path),
    }
    return render(request, "inspections/complaints/follow.html", context)

"""Registrations in the staff admin: submitted, recommended, visited, decided and employed through actions
that call the services. The decisions are the organiser's, not the grid worker's."""

from datetime import date

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from programs.admin import AuditHistoryInline, ReasonActionForm, RoleScopedAdmin, action_reason, service_action
from programs.roles import WORKSHOP_FIELD_STAFF, Role

from .. import selectors, services
from ..models import Registration
from ..privacy import can_see_sensitive


class EmployActionForm(ReasonActionForm):
    start_date = forms.DateField(label=_("Start date (for “employed”)"), required=False)


def _recommend(registration, actor, request):
    services.registration_recommend(registration=registration, actor=actor, note=action_reason(request))


def _home_visit(registration, actor, request):
    services.registration_record_home_visit(registration=registration, actor=actor, note=action_reason(request))


def _accept(registration, actor, request):
    services.registration_accept(registration=registration, actor=actor)


def _reject(registration, actor, request):
    services.registration_reject(registration=registration, actor=actor, reason=action_reason(request))


def _withdraw(registration, actor, request):
    services.registration_withdraw(registration=registration, actor=actor, reason=action_reason(request))


def _verify(registration, actor, request):
    services.registration_verify(registration=registration, actor=actor, note=action_reason(request))


def _employ(registration, actor, request):
    raw = request.POST.get("start_date", "").strip()
    try:
        start = date.fromisoformat(raw) if raw else timezone.localdate()
    except ValueError as exc:
        raise ValidationError(_("Write the start date as YYYY-MM-DD.")) from exc
    services.registration_employ(registration=registration, actor=actor, start_date=start)


@admin.register(Registration)
class RegistrationAdmin(RoleScopedAdmin):
    view_roles = ()
    edit_roles = WORKSHOP_FIELD_STAFF
    list_display = ["reference", "resident", "position", "channel", "status", "status_changed_at", "created_at"]
    list_filter = ["status", "channel"]
    search_fields = ["reference", "resident__name", "position__title"]
    list_select_related = ["resident", "position__workshop"]
    autocomplete_fields = ["resident", "position"]
    inlines = [AuditHistoryInline]
    action_form = EmployActionForm
    actions = [
        service_action(_verify, _("Verified: it is the person on record (to verify only)"), _("%(count)d verified.")),
        service_action(_recommend, _("Recommend (community recommendation)"), _("%(count)d recommended.")),
        service_action(_home_visit, _("Record the home visit"), _("%(count)d home visits recorded.")),
        service_action(_accept, _("Accept"), _("%(count)d accepted.")),
        service_action(_reject, _("Reject (give a reason)"), _("%(count)d rejected.")),
        service_action(_withdraw, _("Withdraw (give a reason)"), _("%(count)d withdrawn.")),
        service_action(_employ, _("Employed (from the start date)"), _("%(count)d employed.")),
    ]

    # As in the API: the decision is the organiser's (and the host enterprise's), not the grid worker's.
    DECISIONS = ("action_accept", "action_reject", "action_employ")

    def get_queryset(self, request):
        return selectors.registration_list(user=request.user)

    def get_changeform_initial_data(self, request):
        # Staff register someone they met: a grid worker on their round, an organiser on the community's word.
        channel = (
            Registration.Channel.GRID_WORKER
            if request.user.role == Role.GRID_WORKER
            else Registration.Channel.COMMUNITY
        )
        return {"channel": channel, **super().get_changeform_initial_data(request)}

    def get_actions(self, request):
        actions = super().get_actions(request)
        if request.user.role == Role.GRID_WORKER and not request.user.is_superuser:
            for name in self.DECISIONS:
                actions.pop(name, None)
        return actions

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["resident", "position", "channel", "baseline_monthly_income", "note"]
        return [
            "reference",
            "resident",
            "position",
            "channel",
            "status",
            "baseline_monthly_income",
            "note",
            "reason",
            "consent_at",
            "status_changed_at",
            "created_at",
            # Who claimed a registration to verify; their phone only for those with a need to know.
            "claimed_name",
            *(["claimed_phone"] if can_see_sensitive(request.user, obj.resident) else []),
        ]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj) if obj is not None else []

    def save_model(self, request, obj, form, change):
        if change:
            return
        data = form.cleaned_data
        registration, created = services.registration_submit(
            resident=data["resident"],
            position=data["position"],
            channel=data["channel"],
            actor=request.user,
            baseline_monthly_income=data["baseline_monthly_income"],
            note=data["note"],
        )
        if not created:
            # The service answers a repeat with the registration already there (a retried request is no error);
            # someone adding it by hand is told so on the form, never "added".
            message = _(
                "%(resident)s is already registered for this position (%(reference)s, %(status)s): nothing was added."
            ) % {
                "resident": registration.resident.name,
                "reference": registration.reference,
                "status": registration.get_status_display(),
            }
            url = reverse("admin:workshops_registration_change", args=[registration.pk])
            link = format_html('{} <a href="{}">{}</a>', message, url, _("Open that registration"))
            raise ValidationError(link, code="duplicate")
        obj.pk = registration.pk

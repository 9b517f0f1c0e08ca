"""The staff admin for workshops: organisers and community workers, scoped by region. Statuses change only
through actions that call the services; residents' sensitive fields are masked in every list and export,
and shown in a form only to those with a need to know (``workshops.privacy``)."""

import io
from datetime import date

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook

from programs.admin import AuditHistoryInline, ReasonActionForm, RoleScopedAdmin, action_reason
from programs.models import User
from programs.validators import mask_id_number, mask_phone

from . import selectors, services
from .models import (
    Activity,
    Category,
    Employment,
    IncomeRecord,
    Position,
    Registration,
    Resident,
    VillageDistance,
    Workshop,
)
from .privacy import can_see_sensitive

ORGANISER = (User.Role.ORGANISER,)
WORKSHOP_STAFF = (User.Role.ORGANISER, User.Role.GRID_WORKER)


class EmployActionForm(ReasonActionForm):
    start_date = forms.DateField(label=_("Start date (for “employed”)"), required=False)


def _status_action(service, description, message, **fixed):
    def run(modeladmin, request, queryset):
        modeladmin.run_service(request, queryset, lambda obj, actor: service(obj, actor, request, **fixed), message)

    run.short_description = description
    run.__name__ = f"action_{service.__name__}_{'_'.join(str(v) for v in fixed.values())}"
    return run


# --- Workshops ------------------------------------------------------------------------------------


def _set_workshop_status(workshop, actor, request, *, to):
    services.workshop_set_status(workshop=workshop, to=to, actor=actor, reason=action_reason(request))


@admin.register(Workshop)
class WorkshopAdmin(RoleScopedAdmin):
    view_roles = (User.Role.GRID_WORKER, User.Role.COORDINATOR)
    edit_roles = ORGANISER
    scope_paths = {"region": "village"}
    list_display = ["name", "kind", "village", "host_enterprise", "manager_name", "status", "opened_on"]
    list_filter = ["kind", "status"]
    search_fields = ["name", "products", "manager_name"]
    list_select_related = ["village", "host_enterprise"]
    autocomplete_fields = ["village", "host_enterprise"]
    readonly_fields = ["status", "closed_on", "created_at", "monthly_report"]
    inlines = [AuditHistoryInline]
    action_form = ReasonActionForm

    @admin.display(description=_("Monthly employment report"))
    def monthly_report(self, workshop):
        if workshop.pk is None:
            return "—"
        url = reverse("admin:workshops_workshop_report", args=[workshop.pk])
        return format_html('<a href="{}">{}</a>', url, _("Open the printable report"))

    actions = [
        _status_action(_set_workshop_status, _("Open"), _("%(count)d workshops opened."), to="open"),
        _status_action(_set_workshop_status, _("Suspend (give a reason)"), _("%(count)d suspended."), to="suspended"),
        _status_action(_set_workshop_status, _("Close (give a reason)"), _("%(count)d closed."), to="closed"),
    ]

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in form.changed_data}
        if change:
            services.workshop_update(workshop=obj, actor=request.user, **fields)
        else:
            obj.pk = services.workshop_create(actor=request.user, **form.cleaned_data).pk

    def get_urls(self):
        view = self.admin_site.admin_view(self.indicators_view)
        report = self.admin_site.admin_view(self.month_report_view)
        return [
            path("indicators/", view, name="workshops_indicators"),
            path("<int:pk>/report/", report, name="workshops_workshop_report"),
            *super().get_urls(),
        ]

    def month_report_view(self, request, pk):
        """The printable monthly employment report of one workshop (``?month=2025-03``)."""
        workshop = self.get_object(request, pk)
        if workshop is None or not self.has_view_permission(request, workshop):
            raise PermissionDenied
        today = timezone.localdate()
        try:
            month = date.fromisoformat(request.GET["month"] + "-01") if request.GET.get("month") else today
        except ValueError:
            messages.error(request, _("Months are written YYYY-MM."))
            month = today
        report = selectors.workshop_month_report(workshop=workshop, month=month, user=request.user)
        context = {
            **self.admin_site.each_context(request),
            **report,
            "title": _("Monthly employment report"),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/workshops/month_report.html", context)

    def indicators_view(self, request):
        """The indicators dashboard: the staff member's region and the regions below it, for a period."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        today = timezone.localdate()
        try:
            start = date.fromisoformat(request.GET.get("start", "")) if request.GET.get("start") else None
            end = date.fromisoformat(request.GET.get("end", "")) if request.GET.get("end") else None
        except ValueError:
            start = end = None
            messages.error(request, _("Dates are written YYYY-MM-DD."))
        start, end = start or date(today.year, 1, 1), end or today
        region = request.user.region
        figures = selectors.workshop_indicators(user=request.user, region=region, start=start, end=end)
        rows = (
            selectors.workshop_indicators_by_region(user=request.user, parent=region, start=start, end=end)
            if region is not None
            else []
        )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Workshop indicators"),
            "figures": figures,
            "rows": rows,
            "start": start,
            "end": end,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/workshops/indicators.html", context)


# --- Positions ------------------------------------------------------------------------------------


def _close_position(position, actor, request):
    services.position_close(position=position, actor=actor, reason=action_reason(request))


def _reopen_position(position, actor, request):
    services.position_reopen(position=position, actor=actor, reason=action_reason(request))


@admin.register(Position)
class PositionAdmin(RoleScopedAdmin):
    view_roles = (User.Role.GRID_WORKER, User.Role.COORDINATOR)
    edit_roles = ORGANISER
    scope_paths = {"region": "workshop__village"}
    list_display = ["title", "workshop", "category", "openings", "accepted_count", "pay_amount", "pay_unit"]
    list_display += ["accessible", "seasonal_end", "status"]
    list_filter = ["category", "status", "accessible", "pay_unit"]
    search_fields = ["title", "workshop__name"]
    list_select_related = ["workshop"]
    autocomplete_fields = ["workshop"]
    readonly_fields = ["accepted_count", "status", "created_at"]
    inlines = [AuditHistoryInline]
    action_form = ReasonActionForm
    actions = [
        _status_action(_close_position, _("Close"), _("%(count)d positions closed.")),
        _status_action(_reopen_position, _("Reopen"), _("%(count)d positions reopened.")),
    ]

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in form.changed_data}
        if change:
            services.position_update(position=obj, actor=request.user, **fields)
        else:
            obj.pk = services.position_create(actor=request.user, **form.cleaned_data).pk


# --- Residents ------------------------------------------------------------------------------------


class ResidentForm(forms.ModelForm):
    wished_categories = forms.MultipleChoiceField(
        label=_("wished categories"),
        choices=Category.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Resident
        fields = [
            "name",
            "id_number",
            "phone",
            "village",
            "has_disability",
            "is_low_income",
            "wants_work",
            "wished_categories",
            "surveyed_on",
            "user",
        ]


@admin.register(Resident)
class ResidentAdmin(RoleScopedAdmin):
    view_roles = ()
    edit_roles = WORKSHOP_STAFF
    scope_paths = {"region": "village"}
    form = ResidentForm
    # No sensitive column, filter or search: lists are read by whoever stands behind the screen.
    list_display = ["name", "masked_id_number", "masked_phone", "village", "wants_work", "surveyed_on", "grid_worker"]
    list_filter = ["wants_work"]
    search_fields = ["name"]
    list_select_related = ["village", "grid_worker"]
    autocomplete_fields = ["village"]
    raw_id_fields = ["user"]
    inlines = [AuditHistoryInline]
    actions = ["export_xlsx"]
    SENSITIVE = ("id_number", "has_disability", "is_low_income")

    @admin.display(description=_("ID number"))
    def masked_id_number(self, resident):
        return mask_id_number(resident.id_number)

    @admin.display(description=_("phone"))
    def masked_phone(self, resident):
        return mask_phone(resident.phone)

    @admin.display(description=_("sensitive fields"))
    def withheld(self, resident):
        return _("Withheld: you have no need to know.")

    def _sees(self, request, obj) -> bool:
        return obj is None or can_see_sensitive(request.user, obj)

    def get_fields(self, request, obj=None):
        fields = ["name", "id_number", "phone", "village", "has_disability", "is_low_income", "wants_work"]
        fields += ["wished_categories", "surveyed_on", "grid_worker", "user"]
        if self._sees(request, obj):
            return fields
        visible = [f for f in fields if f not in self.SENSITIVE and f != "phone"]
        return [*visible, "masked_id_number", "masked_phone", "withheld"]

    def get_readonly_fields(self, request, obj=None):
        readonly = ["masked_id_number", "masked_phone", "withheld", "grid_worker"]
        if obj is not None:
            readonly += ["id_number", "surveyed_on"]
        return readonly

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            fields = {n: data[n] for n in form.changed_data if n in services.RESIDENT_EDITABLE}
            services.resident_update(resident=obj, actor=request.user, **fields)
        else:
            created = services.resident_create(
                actor=request.user,
                **{n: data[n] for n in form.fields if n in data},
            )
            obj.pk = created.pk

    @admin.action(description=_("Export to Excel (ID numbers masked)"))
    def export_xlsx(self, request, queryset):
        book = Workbook()
        sheet = book.active
        sheet.title = str(_("residents"))
        sheet.append(
            [
                str(_("name")),
                str(_("ID number")),
                str(_("phone")),
                str(_("village / community")),
                str(_("disabled person")),
                str(_("low-income household")),
                str(_("wishes to work")),
                str(_("wished categories")),
                str(_("surveyed on")),
            ]
        )
        labels = dict(Category.choices)
        for resident in queryset.select_related("village"):
            sees = can_see_sensitive(request.user, resident)
            sheet.append(
                [
                    resident.name,
                    mask_id_number(resident.id_number),  # an export leaves the system: never the full number
                    resident.phone if sees else mask_phone(resident.phone),
                    resident.village.name,
                    (str(_("yes")) if resident.has_disability else str(_("no"))) if sees else "",
                    (str(_("yes")) if resident.is_low_income else str(_("no"))) if sees else "",
                    str(_("yes")) if resident.wants_work else str(_("no")),
                    "、".join(str(labels.get(c, c)) for c in resident.wished_categories),
                    resident.surveyed_on.isoformat() if resident.surveyed_on else "",
                ]
            )
        out = io.BytesIO()
        book.save(out)
        response = HttpResponse(
            out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = 'attachment; filename="residents.xlsx"'
        return response


# --- Registrations --------------------------------------------------------------------------------


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
    edit_roles = WORKSHOP_STAFF
    list_display = ["reference", "resident", "position", "channel", "status", "status_changed_at", "created_at"]
    list_filter = ["status", "channel"]
    search_fields = ["reference", "resident__name", "position__title"]
    list_select_related = ["resident", "position__workshop"]
    autocomplete_fields = ["resident", "position"]
    inlines = [AuditHistoryInline]
    action_form = EmployActionForm
    actions = [
        _status_action(_recommend, _("Recommend (community recommendation)"), _("%(count)d recommended.")),
        _status_action(_home_visit, _("Record the home visit"), _("%(count)d home visits recorded.")),
        _status_action(_accept, _("Accept"), _("%(count)d accepted.")),
        _status_action(_reject, _("Reject (give a reason)"), _("%(count)d rejected.")),
        _status_action(_withdraw, _("Withdraw (give a reason)"), _("%(count)d withdrawn.")),
        _status_action(_employ, _("Employed (from the start date)"), _("%(count)d employed.")),
    ]

    # As in the API: the decision is the organiser's (and the host enterprise's), not the grid worker's.
    DECISIONS = ("action__accept_", "action__reject_", "action__employ_")

    def get_queryset(self, request):
        return selectors.registration_list(user=request.user)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if request.user.role == User.Role.GRID_WORKER and not request.user.is_superuser:
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
        ]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj) if obj is not None else []

    def save_model(self, request, obj, form, change):
        if change:
            return
        data = form.cleaned_data
        registration, _created = services.registration_submit(
            resident=data["resident"],
            position=data["position"],
            channel=data["channel"],
            actor=request.user,
            baseline_monthly_income=data["baseline_monthly_income"],
            note=data["note"],
        )
        obj.pk = registration.pk


# --- Employment, income, activities, travel times -------------------------------------------------


class IncomeRecordInline(admin.TabularInline):
    model = IncomeRecord
    fields = ["month", "income", "recorded_by"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return True


@admin.register(Employment)
class EmploymentAdmin(RoleScopedAdmin):
    view_roles = WORKSHOP_STAFF
    list_display = ["registration", "start_date", "end_date", "wage", "wage_unit"]
    search_fields = ["registration__reference", "registration__resident__name"]
    list_select_related = ["registration__resident", "registration__position__workshop"]
    readonly_fields = ["registration", "start_date", "end_date", "wage", "wage_unit", "created_at"]
    inlines = [IncomeRecordInline, AuditHistoryInline]

    def get_queryset(self, request):
        return selectors.employment_list(user=request.user)


@admin.register(IncomeRecord)
class IncomeRecordAdmin(RoleScopedAdmin):
    view_roles = (User.Role.GRID_WORKER,)
    edit_roles = ORGANISER
    scope_paths = {"region": "employment__registration__position__workshop__village"}
    list_display = ["employment", "month", "income", "recorded_by"]
    list_select_related = ["employment__registration__resident", "employment__registration__position", "recorded_by"]
    autocomplete_fields = ["employment"]
    fields = ["employment", "month", "income"]
    date_hierarchy = "month"
    inlines = [AuditHistoryInline]

    def get_readonly_fields(self, request, obj=None):
        return ["employment", "month"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        employment = obj.employment if change else data["employment"]
        month = obj.month if change else data["month"]
        obj.pk = services.income_record(
            employment=employment, month=month, income=data["income"], actor=request.user
        ).pk


def _cancel_activity(activity, actor, request):
    services.activity_cancel(activity=activity, actor=actor, reason=action_reason(request))


@admin.register(Activity)
class ActivityAdmin(RoleScopedAdmin):
    view_roles = (User.Role.GRID_WORKER, User.Role.COORDINATOR)
    edit_roles = ORGANISER
    scope_paths = {"region": "workshop__village"}
    list_display = ["title", "workshop", "kind", "held_on", "stalls", "visitors", "sessions", "participants"]
    list_display += ["revenue", "is_cancelled"]
    list_filter = ["kind", "is_cancelled"]
    list_select_related = ["workshop"]
    autocomplete_fields = ["workshop"]
    exclude = ["recorded_by"]
    readonly_fields = ["is_cancelled"]
    date_hierarchy = "held_on"
    action_form = ReasonActionForm
    actions = [_status_action(_cancel_activity, _("Cancel (give a reason)"), _("%(count)d cancelled."))]
    inlines = [AuditHistoryInline]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request)  # a record is cancelled, not rewritten

    def save_model(self, request, obj, form, change):
        obj.pk = services.activity_record(actor=request.user, **form.cleaned_data).pk


@admin.register(VillageDistance)
class VillageDistanceAdmin(RoleScopedAdmin):
    view_roles = (User.Role.GRID_WORKER,)
    edit_roles = ORGANISER
    scope_paths = {"region": "from_village"}
    list_display = ["from_village", "to_village", "minutes"]
    list_select_related = ["from_village", "to_village"]
    autocomplete_fields = ["from_village", "to_village"]

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        obj.pk = services.village_distance_set(
            from_village=data["from_village"], to_village=data["to_village"], minutes=data["minutes"]
        ).pk

"""The staff admin of the inspections app: scoped by role, statuses changed only through actions that call
the services, history inline, coloured grade badges."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from programs.admin import AuditHistoryInline, RoleScopedAdmin, action_reason, service_action
from programs.models import Grade, User
from programs.roles import COORDINATORS, ENFORCEMENT, STAFF

from . import services
from .admin_cases import PenaltyCaseAdmin  # noqa: F401 (registers penalty cases)
from .admin_complaints import ComplaintAdmin  # noqa: F401 (registers complaints and service ordering)
from .admin_fines import FineAdmin  # noqa: F401 (registers fines, deferral / instalments, the waiver policy)
from .admin_repair import RepairApplicationAdmin  # noqa: F401 (registers lenient lists and credit repair)
from .admin_requests import EnterpriseRequestAdmin  # noqa: F401 (registers requests and joint assistance)
from .models import (
    Coordination,
    Finding,
    GradeChange,
    GradedEnterprise,
    GradePolicy,
    Inspection,
    InspectionItem,
    LenientListEntry,
    ObservationPeriod,
    PlanEntry,
)
from .year_plan_admin import YearPlanAdmin  # noqa: F401 (imported to register the year plans' admin)


def grade_badge(grade: str, label: str):
    return format_html('<span class="badge {}" style="{}">{}</span>', grade, BADGE_STYLE.get(grade, ""), label)


BADGE_STYLE = {
    Grade.RED: "background:#d92d20;color:#fff;padding:0 .5em;border-radius:1em",
    Grade.YELLOW: "background:#dc6803;color:#fff;padding:0 .5em;border-radius:1em",
    Grade.GREEN: "background:#039855;color:#fff;padding:0 .5em;border-radius:1em",
    Grade.GRAY: "background:#667085;color:#fff;padding:0 .5em;border-radius:1em",
}


class LenientInline(admin.TabularInline):
    model = LenientListEntry
    extra = 0
    can_delete = False


@admin.register(InspectionItem)
class InspectionItemAdmin(RoleScopedAdmin):
    view_roles = STAFF
    edit_roles = COORDINATORS
    list_display = ["code", "name", "department", "field", "simple", "is_active"]
    list_filter = ["simple", "is_active", "field", "department__kind"]
    search_fields = ["code", "name", "field"]
    list_select_related = ["department"]
    autocomplete_fields = ["department"]
    inlines = [LenientInline]

    def get_queryset(self, request):
        return InspectionItem.objects.select_related("department")  # the catalogue is reference data


# The admin actions: each calls the service for one selected row (``service_action`` reports refusals by row).


def _submit_entry(entry, actor, request):
    services.plan_entry_submit(entry=entry, actor=actor)


def _cut_entry(entry, actor, request):
    services.plan_entry_cut(entry=entry, actor=actor, reason=action_reason(request))


def _reinstate_entry(entry, actor, request):
    services.plan_entry_reinstate(entry=entry, actor=actor, reason=action_reason(request))


def _start_inspection(inspection, actor, request):
    services.inspection_start(inspection=inspection, actor=actor)


def _issue_documents(inspection, actor, request):
    services.visit_documents_issue(inspection=inspection, actor=actor)


def _reissue_document(inspection, actor, request, kind):
    services.visit_document_reissue(inspection=inspection, kind=kind, actor=actor, reason=action_reason(request))


def _cancel_inspection(inspection, actor, request):
    services.inspection_cancel(inspection=inspection, actor=actor, reason=action_reason(request))


@admin.register(PlanEntry)
class PlanEntryAdmin(RoleScopedAdmin):
    view_roles = ENFORCEMENT
    edit_roles = ()
    scope_paths = {"region": "region_code", "department": "department_id"}
    list_display = [
        "enterprise",
        "department",
        "month",
        "mode",
        "status",
        "cut_reason",
        "delegated",
        "inspection",
        "year_plan",
    ]
    list_filter = ["status", "cut_reason", "mode", "delegated", "month", "department__kind"]
    search_fields = ["enterprise__name", "enterprise__credit_code", "department__name"]
    list_select_related = ["enterprise", "department", "inspection__enterprise", "year_plan__department"]
    # No date hierarchy: its DISTINCT months scan every entry of the user's area on each page; "month" is a
    # filter above.
    readonly_fields = [f.name for f in PlanEntry._meta.fields] + ["items"]
    inlines = [AuditHistoryInline]
    actions = ["submit", "coordinate_month", "cut", "reinstate"]

    submit = service_action(_submit_entry, _("Submit the selected drafts"), _("%(count)s submitted."))

    @admin.action(description=_("Coordinate the months of the selected entries (my region)"))
    def coordinate_month(self, request, queryset):
        if not (request.user.is_superuser or request.user.role in COORDINATORS):
            self.message_user(request, _("Only a coordinator coordinates."), messages.ERROR)
            return
        region = request.user.region or queryset.first().enterprise.region
        for month in sorted(set(queryset.values_list("month", flat=True))):
            run = services.coordination_start(region=region, month=month, actor=request.user)
            self.message_user(
                request, _("Coordination of %(month)s queued (#%(id)s).") % {"month": f"{month:%Y-%m}", "id": run.pk}
            )

    cut = service_action(_cut_entry, _("Cut the selected submitted entries"), _("%(count)s cut."), ask_reason=True)
    reinstate = service_action(
        _reinstate_entry,
        _("Override the cut: carry out the selected entries"),
        _("%(count)s reinstated."),
        ask_reason=True,
    )


@admin.register(Coordination)
class CoordinationAdmin(RoleScopedAdmin):
    view_roles = COORDINATORS
    scope_paths = {"region": "region"}
    list_display = [
        "region",
        "month",
        "status",
        "progress_display",
        "executed",
        "cut",
        "inspections_created",
        "created_at",
    ]
    list_filter = ["status"]
    list_select_related = ["region"]
    readonly_fields = [f.name for f in Coordination._meta.fields]

    @admin.display(description=_("progress"))
    def progress_display(self, obj):
        return f"{obj.progress} %"


class FindingInline(admin.TabularInline):
    model = Finding
    extra = 0
    can_delete = False
    fields = ["item", "severity", "description", "deadline", "status", "decision"]
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


class ScheduleForm(forms.Form):
    """Put one coordinated inspection in a week with its officers (the admin's form of the API's ``schedule``)."""

    week_start = forms.DateField(label=_("Week (its Monday)"), widget=forms.DateInput(attrs={"type": "date"}))
    officers = forms.ModelMultipleChoiceField(
        label=_("Officers"), queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, inspection, user, **kwargs):
        super().__init__(*args, **kwargs)
        departments = set(inspection.departments.values_list("pk", flat=True)) | {inspection.lead_department_id}
        if not user.is_superuser and user.role == User.Role.OFFICER:
            departments &= {user.department_id}  # an officer schedules with the officers of their own department
        self.fields["officers"].queryset = (
            User.objects.filter(role=User.Role.OFFICER, is_active=True, department_id__in=departments)
            .select_related("department")
            .order_by("department__name", "username")
        )
        self.fields["officers"].label_from_instance = lambda officer: (
            f"{officer.get_full_name() or officer.username}（{officer.department.name}）"
        )

    def clean_week_start(self):
        week_start = self.cleaned_data["week_start"]
        if week_start.weekday() != 0:
            raise ValidationError(
                _("%(date)s is a %(weekday)s: a week starts on a Monday.")
                % {"date": f"{week_start:%Y-%m-%d}", "weekday": date_format(week_start, "l")},
                code="not_a_monday",
            )
        return week_start


@admin.register(Inspection)
class InspectionAdmin(RoleScopedAdmin):
    view_roles = ENFORCEMENT
    scope_paths = {"region": "region_code", "department": "departments"}
    list_display = [
        "enterprise",
        "month",
        "week_start",
        "is_joint",
        "lead_department",
        "status",
        "code_shown",
        "code_not_shown_reason",
    ]
    list_filter = ["status", "origin", "is_joint", "code_not_shown_reason", "month", "lead_department__kind"]
    search_fields = ["enterprise__name", "enterprise__credit_code", "code"]
    list_select_related = ["enterprise", "lead_department"]
    readonly_fields = [f.name for f in Inspection._meta.fields if f.name != "code"] + [
        "departments",
        "items",
        "officers",
        "code_link",
        "field_link",
        "schedule_link",
        "issued_documents",
    ]
    exclude = ["code"]
    inlines = [FindingInline, AuditHistoryInline]
    # No "complete" action: an inspection is completed in the officers' field area, with its answers and findings.
    actions = ["schedule", "start", "cancel", "issue_documents", "reissue_record", "reissue_notice"]

    @admin.display(description=_("code shown"), boolean=True)
    def code_shown(self, obj):
        return obj.code_shown_at is not None

    @admin.display(description=_("inspection code"))
    def code_link(self, obj):
        if not obj.code:
            return "—"
        return format_html('<a href="/inspections/{}/code/">{}</a>', obj.pk, services.format_code(obj.code))

    @admin.display(description=_("field page"))
    def field_link(self, obj):
        """Where the officer answers the checklist, records findings and completes (the field area)."""
        if obj is None or not obj.pk:
            return "—"
        return format_html(
            '<a href="{}">{}</a>', reverse("field:visit", args=[obj.pk]), _("Open the visit in the field area")
        )

    @admin.display(description=_("scheduling"))
    def schedule_link(self, obj):
        """A coordinated inspection is scheduled from the list: this link selects it there."""
        if obj is None or not obj.pk or obj.status != Inspection.Status.PLANNED:
            return "—"
        return format_html(
            '<a href="{}?id={}">{}</a>',
            reverse("admin:inspections_inspection_changelist"),
            obj.pk,
            _("Not scheduled yet: select it in the list and choose the action “Schedule”."),
        )

    @admin.action(description=_("Schedule (week and officers)"))
    def schedule(self, request, queryset):
        """An intermediate page for one inspection: the week and the officers, then ``inspection_schedule``."""
        user = request.user
        if not (user.is_superuser or user.role in ENFORCEMENT):
            raise PermissionDenied
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one inspection to schedule."), messages.ERROR)
            return None
        inspection = queryset.get()
        form = ScheduleForm(request.POST if "apply" in request.POST else None, inspection=inspection, user=user)
        if form.is_bound and form.is_valid():
            try:
                services.inspection_schedule(
                    inspection=inspection,
                    week_start=form.cleaned_data["week_start"],
                    officers=form.cleaned_data["officers"],
                    actor=user,
                )
            except ValidationError as exc:
                errors = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
                for field, field_errors in errors.items():
                    form.add_error(field if field in form.fields else None, field_errors)
            except PermissionDenied as exc:
                self.message_user(
                    request, f"{inspection}: {exc or _('Your role does not allow this.')}", messages.ERROR
                )
                return None
            else:
                self.message_user(
                    request,
                    _("%(inspection)s scheduled for the week of %(week)s.")
                    % {"inspection": inspection, "week": f"{form.cleaned_data['week_start']:%Y-%m-%d}"},
                    messages.SUCCESS,
                )
                return None
        return render(
            request,
            "admin/inspections/inspection/schedule.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Schedule the inspection"),
                "form": form,
                "inspection": inspection,
                "action": request.POST["action"],
                "opts": self.model._meta,
            },
        )

    @admin.display(description=_("issued documents"))
    def issued_documents(self, obj):
        """Every version of the record and the notice, each a link to its stored PDF."""
        versions = services.visit_document_versions(obj) if obj is not None and obj.pk else []
        if not versions:
            return "—"
        return format_html_join(
            mark_safe("<br>"),
            '<a href="{}?version={}">{} {} v{}</a> · {}',
            (
                (
                    reverse("inspections:document", args=[obj.pk, document.kind]),
                    document.version,
                    services.visit_document_title(document.kind),
                    document.number,
                    document.version,
                    f"{timezone.localtime(document.issued_at):%Y-%m-%d %H:%M}",
                )
                for document in versions
            ),
        )

    start = service_action(_start_inspection, _("Start (the code is shown in the field area)"), _("%(count)s started."))
    cancel = service_action(_cancel_inspection, _("Cancel with a reason"), _("%(count)s cancelled."), ask_reason=True)
    issue_documents = service_action(
        _issue_documents, _("Issue the missing record and notice"), _("%(count)s inspections' documents issued.")
    )
    reissue_record = service_action(
        _reissue_document,
        _("Issue a corrected inspection record (new version)"),
        _("%(count)s records reissued."),
        ask_reason=True,
        kind="inspection_record",
    )
    reissue_notice = service_action(
        _reissue_document,
        _("Issue a corrected rectification notice (new version)"),
        _("%(count)s notices reissued."),
        ask_reason=True,
        kind="rectification_notice",
    )


@admin.register(Finding)
class FindingAdmin(RoleScopedAdmin):
    view_roles = ENFORCEMENT
    scope_paths = {"region": "region_code", "department": "inspection__departments"}
    list_display = ["enterprise", "item", "severity", "deadline", "overdue", "status", "lenient_proposed", "decision"]
    list_filter = ["severity", "status", "decision", "lenient_proposed", "lenient_entry__kind"]
    search_fields = ["enterprise__name", "item__code", "item__name", "description"]
    list_select_related = ["enterprise", "item"]
    readonly_fields = [f.name for f in Finding._meta.fields]
    inlines = [AuditHistoryInline]

    @admin.display(description=_("overdue"), boolean=True)
    def overdue(self, obj):
        return obj.is_overdue


@admin.register(ObservationPeriod)
class ObservationPeriodAdmin(RoleScopedAdmin):
    view_roles = ENFORCEMENT
    scope_paths = {"region": "finding__region_code", "department": "finding__inspection__departments"}
    list_display = ["finding", "starts_on", "ends_on", "days", "status"]
    list_filter = ["status"]
    list_select_related = ["finding__enterprise", "finding__item"]
    readonly_fields = [f.name for f in ObservationPeriod._meta.fields]
    inlines = [AuditHistoryInline]


@admin.register(GradePolicy)
class GradePolicyAdmin(RoleScopedAdmin):
    view_roles = STAFF
    edit_roles = COORDINATORS
    list_display = ["badge", "frequency_days", "sampling_percent", "escalation_grace_days", "updated_at"]
    fields = ["grade", "frequency_days", "sampling_percent", "escalation_grace_days", "updated_at"]
    readonly_fields = ["grade", "updated_at"]
    inlines = [AuditHistoryInline]

    def has_add_permission(self, request):
        return False  # one row per colour, made by the migration

    @admin.display(description=_("grade"))
    def badge(self, obj):
        return grade_badge(obj.grade, obj.get_grade_display())

    def save_model(self, request, obj, form, change):
        services.grade_policy_update(
            policy=obj, actor=request.user, **{name: form.cleaned_data[name] for name in form.changed_data}
        )


class GradeChangeInline(admin.TabularInline):
    model = GradeChange
    extra = 0
    can_delete = False
    fields = ["changed_at", "old_grade", "new_grade", "cause", "inspection", "finding", "actor"]
    readonly_fields = fields
    ordering = ["-changed_at", "-id"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return True


@admin.register(GradedEnterprise)
class GradedEnterpriseAdmin(RoleScopedAdmin):
    """The enterprises by colour: badges, filters, and each one's grade history."""

    view_roles = STAFF
    scope_paths = {"region": "region"}
    list_display = ["name", "credit_code", "region", "badge", "grade_changed_at", "is_four_new"]
    list_filter = ["grade", "is_four_new", "is_key"]  # the region: RoleScopedAdmin's drill-down filter
    search_fields = ["name", "credit_code"]
    list_select_related = ["region"]
    fields = ["name", "credit_code", "region", "grade", "grade_changed_at"]
    readonly_fields = fields
    inlines = [GradeChangeInline]

    @admin.display(description=_("grade"), ordering="grade")
    def badge(self, obj):
        return grade_badge(obj.grade, obj.get_grade_display())


@admin.register(GradeChange)
class GradeChangeAdmin(RoleScopedAdmin):
    view_roles = STAFF
    scope_paths = {"region": "enterprise__region"}
    list_display = ["changed_at", "enterprise", "old_badge", "new_badge", "cause", "actor"]
    list_filter = ["new_grade", "old_grade", "cause"]
    search_fields = ["enterprise__name", "enterprise__credit_code"]
    list_select_related = ["enterprise", "actor"]
    date_hierarchy = "changed_at"
    readonly_fields = [f.name for f in GradeChange._meta.fields]

    @admin.display(description=_("old grade"))
    def old_badge(self, obj):
        return grade_badge(obj.old_grade, obj.get_old_grade_display())

    @admin.display(description=_("new grade"))
    def new_badge(self, obj):
        return grade_badge(obj.new_grade, obj.get_new_grade_display())

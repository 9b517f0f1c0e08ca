"""The admin of the lenient lists (data the coordinators keep: a list's kind, issuer, validity, and its items with
their conditions) and of credit repair (the rules per penalty kind; the applications, approved or refused through
the same services as the API). Registered on import from ``inspections.admin``."""

from django import forms
from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from programs.admin import AuditHistoryInline, RoleScopedAdmin, action_reason, service_action
from programs.roles import COORDINATORS, ENFORCEMENT, STAFF

from . import repair_files
from .models import LenientList, LenientListEntry, RepairApplication, RepairEvidence, RepairRule
from .services import repair as repair_services


class LenientEntryForm(forms.ModelForm):
    class Meta:
        model = LenientListEntry
        fields = [
            "item",
            "outcome",
            "first_violation_only",
            "lookback_days",
            "minor_harm_only",
            "correction_required",
            "conditions",
            "is_active",
        ]
        widgets = {"conditions": forms.TextInput(attrs={"size": 30})}

    def clean(self):
        data = super().clean()
        if self.instance.lenient_list is not None:
            self.instance.kind = self.instance.lenient_list.kind  # an entry has its list's kind
        return data


class LenientEntryInline(admin.TabularInline):
    model = LenientListEntry
    form = LenientEntryForm
    extra = 1
    can_delete = False
    autocomplete_fields = ["item"]


@admin.register(LenientList)
class LenientListAdmin(RoleScopedAdmin):
    """A published list and its items: the coordinators keep them; every officer reads them."""

    view_roles = STAFF
    edit_roles = COORDINATORS
    list_display = [
        "name",
        "kind",
        "issuer",
        "document_number",
        "valid_from",
        "valid_until",
        "entry_count",
        "is_active",
    ]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "document_number", "issuer__name"]
    list_select_related = ["issuer"]
    autocomplete_fields = ["issuer"]
    inlines = [LenientEntryInline]

    def get_queryset(self, request):
        return LenientList.objects.select_related("issuer")  # the lists are reference data

    @admin.display(description=_("items"))
    def entry_count(self, obj):
        return obj.entries.count()


@admin.register(RepairRule)
class RepairRuleAdmin(RoleScopedAdmin):
    """The minimum disclosure period per kind of penalty, and the days a department has to review."""

    view_roles = ENFORCEMENT
    edit_roles = COORDINATORS
    list_display = ["name", "penalty_kind", "fine_from", "min_disclosure_days", "review_days", "is_active"]
    list_filter = ["penalty_kind", "is_active"]


class RepairEvidenceInline(admin.TabularInline):
    model = RepairEvidence
    extra = 0
    can_delete = False
    fields = ["kind", "download", "uploaded_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return True

    @admin.display(description=_("file"))
    def download(self, obj):
        url = repair_files.file_url(obj)
        return format_html('<a href="{}">{}</a>', url, _("Open the file")) if url else "—"


def _approve(application, actor, request):
    repair_services.repair_approve(application=application, actor=actor)


def _refuse(application, actor, request):
    repair_services.repair_refuse(application=application, actor=actor, reason=action_reason(request))


@admin.register(RepairApplication)
class RepairApplicationAdmin(RoleScopedAdmin):
    """Credit repair applications of the department's penalties: approve, or refuse with a reason."""

    view_roles = ENFORCEMENT
    scope_paths = {"region": "enterprise__region", "department": "department"}
    list_display = ["case", "enterprise", "department", "submitted_at", "review_due", "overdue", "status"]
    list_filter = ["status", "department__kind"]
    search_fields = ["case__number", "enterprise__name", "enterprise__credit_code"]
    list_select_related = ["case__enterprise", "enterprise", "department"]
    date_hierarchy = "submitted_at"
    fields = [
        "case",
        "enterprise",
        "department",
        "rule",
        "eligible_on",
        "statement",
        "commitment",
        "status",
        "submitted_by",
        "submitted_at",
        "review_due",
        "reminded_at",
        "escalated_at",
        "decided_by",
        "decided_at",
        "refusal_reason",
        "case_summary",
    ]
    readonly_fields = fields
    inlines = [RepairEvidenceInline, AuditHistoryInline]
    actions = [
        service_action(_approve, _("Approve: the record is repaired"), _("%(count)s applications approved.")),
        service_action(_refuse, _("Refuse with a reason"), _("%(count)s applications refused."), ask_reason=True),
    ]

    def has_change_permission(self, request, obj=None):
        return False  # decided through the actions only

    @admin.display(description=_("overdue"), boolean=True)
    def overdue(self, obj):
        return obj.is_overdue

    @admin.display(description=_("penalty"))
    def case_summary(self, obj):
        case = obj.case
        rows = [
            (_("penalty"), case.get_penalty_kind_display()),
            (_("fine amount (yuan)"), case.fine_amount),
            (_("decided at"), case.decided_at or "—"),
            (_("fulfilled at"), case.fulfilled_at or "—"),
        ]
        return format_html("<dl>{}</dl>", format_html_join("", "<dt>{}</dt><dd>{}</dd>", rows))

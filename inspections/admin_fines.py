"""The officers' admin of fines: the fines of their department's cases with what is paid, accrued, waived
(免加罚) and due; deferral and instalment requests approved or rejected; compulsory enforcement applied for; the
waiver policy edited by coordinators. Every action calls the same services as the API. Registered on import
from ``inspections.admin``."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from programs.admin import AuditHistoryInline, RoleScopedAdmin, action_reason, service_action
from programs.roles import COORDINATORS, ENFORCEMENT
from programs.services import audit_record

from .models import Fine, FineArrangement, FineInstalment, LateFeeWaiverPolicy
from .services import fine_arrangements

FINE_SCOPE = {"region": "case__enterprise__region", "department": "case__department_id"}


def _enforce(fine, actor, request):
    fine_arrangements.fine_enforcement_apply(fine=fine, actor=actor, reason=action_reason(request))


def _approve(arrangement, actor, request):
    fine_arrangements.fine_arrangement_decide(arrangement=arrangement, actor=actor, approve=True)


def _reject(arrangement, actor, request):
    fine_arrangements.fine_arrangement_decide(
        arrangement=arrangement, actor=actor, approve=False, note=action_reason(request)
    )


class WaivedFilter(admin.SimpleListFilter):
    title = _("late fee waived")
    parameter_name = "waived"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(late_fee_waived__gt=0)
        if self.value() == "no":
            return queryset.filter(late_fee_waived=0)
        return queryset


class InstalmentInline(admin.TabularInline):
    model = FineInstalment
    extra = 0
    can_delete = False
    fields = ["number", "amount", "due_date", "paid_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class ArrangementInline(admin.TabularInline):
    model = FineArrangement
    extra = 0
    can_delete = False
    fields = ["kind", "defer_until", "instalments", "reason", "status", "requested_at", "decision_note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Fine)
class FineAdmin(RoleScopedAdmin):
    view_roles = ENFORCEMENT
    edit_roles = ENFORCEMENT
    scope_paths = FINE_SCOPE
    list_display = [
        "case",
        "enterprise",
        "amount",
        "due_date",
        "status",
        "late_fee",
        "late_fee_waived",
        "paid_at",
    ]
    list_filter = ["status", WaivedFilter, "waiver_policy", ("case__department", admin.RelatedOnlyFieldListFilter)]
    date_hierarchy = "paid_at"
    search_fields = ["case__number", "case__enterprise__name", "case__enterprise__credit_code"]
    list_select_related = ["case__enterprise"]
    readonly_fields = [
        "case",
        "amount",
        "served_on",
        "original_due_date",
        "due_date",
        "status",
        "principal_paid",
        "late_fee",
        "late_fee_through",
        "late_fee_paid",
        "late_fee_waived",
        "waiver_policy",
        "paid_at",
        "enforcement_applied_at",
        "enforcement_applied_by",
        "created_at",
    ]
    fields = readonly_fields
    inlines = [InstalmentInline, ArrangementInline, AuditHistoryInline]
    actions = [
        service_action(
            _enforce,
            _("Apply for compulsory enforcement"),
            _("Enforcement applied for on %(count)d fines."),
            ask_reason=True,
        )
    ]

    @admin.display(description=_("enterprise"), ordering="case__enterprise__name")
    def enterprise(self, fine):
        return fine.case.enterprise

    def has_add_permission(self, request):
        return False


@admin.register(FineArrangement)
class FineArrangementAdmin(RoleScopedAdmin):
    view_roles = ENFORCEMENT
    edit_roles = ENFORCEMENT
    scope_paths = {"region": "fine__case__enterprise__region", "department": "fine__case__department_id"}
    list_display = ["fine", "kind", "defer_until", "instalments", "status", "requested_at", "decided_at"]
    list_filter = ["status", "kind"]
    list_select_related = ["fine__case"]
    readonly_fields = [
        "fine",
        "kind",
        "reason",
        "defer_until",
        "instalments",
        "status",
        "requested_by",
        "requested_at",
        "decided_by",
        "decided_at",
        "decision_note",
    ]
    fields = readonly_fields
    inlines = [AuditHistoryInline]
    actions = [
        service_action(_approve, _("Approve the request"), _("%(count)d requests approved.")),
        service_action(_reject, _("Reject the request"), _("%(count)d requests rejected."), ask_reason=True),
    ]

    def has_add_permission(self, request):
        return False


@admin.register(LateFeeWaiverPolicy)
class LateFeeWaiverPolicyAdmin(RoleScopedAdmin):
    """The waiver's conditions, as data: coordinators edit them, officers read them."""

    view_roles = ENFORCEMENT
    edit_roles = COORDINATORS
    list_display = ["name", "is_active", "before_enforcement", "full_payment", "max_days_late", "max_fine"]
    inlines = [AuditHistoryInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit_record(
            obj=obj,
            field="policy",
            old="",
            new="changed" if change else "created",
            actor=request.user,
            action="waiver_policy_saved",
            data={name: str(form.cleaned_data.get(name)) for name in form.changed_data},
        )
